"""Data holdings and the data market of an ecosystem scenario: what a company holds, what
platforms sell, and the money that pays for it.

A company's ``holdings`` block (all off by default: a company without one behaves exactly as
one without holdings always did) names

- the platforms it **owns** (their posts are walled off from every other crawler and open to
  the owner, newest first, up to ``platform_docs`` documents per generation);
- a pre-AI **snapshot**: every document its trainers crawled before ``snapshot_cutoff``, kept
  and mixed into later generations (``snapshot_docs`` per generation);
- its licence **budget**: a starting ``endowment`` plus ``revenue_share`` of its revenue each
  step, spent on licences by the purchase rule (``docs/ECOSYSTEM.md``), and how many licensed
  documents it trains on per generation (``licence_docs``).

The scenario's ``licences`` list holds what platforms sell: a licence to a platform's posts
(price per 1,000 tokens, exclusive or not, for a number of steps), either an open offer that
companies buy by the purchase rule or a deal already struck with a named buyer at a step.
"""

from __future__ import annotations

from pydantic import Field

from ecosystem.config.base import Int, Params, Real


class HoldingsParams(Params):
    """A company's proprietary data and its licence budget."""

    platforms: list[Int] = Field(
        default_factory=list,
        description="Platforms it owns (indices 0 .. web.platforms - 1): their posts are "
        "blocked to every other crawler, whatever its respect_opt_out, and open to the owner.",
    )
    platform_docs: Int = Field(
        0,
        ge=0,
        le=100_000_000,
        description="Documents of its own platforms' posts added to each generation of its "
        "trainers, newest first (AI-assisted posts included: without provenance the owner "
        "cannot tell them apart).",
    )
    snapshot_cutoff: Int | None = Field(
        None,
        ge=0,
        le=100_000,
        description="Step before which every document its trainers crawled is kept as a "
        "snapshot (pre-AI when <= launch_step); null: no snapshot. At most steps.",
    )
    snapshot_docs: Int = Field(
        0,
        ge=0,
        le=100_000_000,
        description="Snapshot documents drawn (uniformly, anew) into each later generation.",
    )
    licence_docs: Int = Field(
        0,
        ge=0,
        le=100_000_000,
        description="Documents of its licensed archives added to each generation, newest first.",
    )
    endowment: Real = Field(
        0.0, ge=0.0, le=1e15, description="Money it starts with for licences (relative units)."
    )
    revenue_share: Real = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Share of each step's revenue (users × price) added to its licence budget.",
    )

    @property
    def holds_data(self) -> bool:
        """Whether the company holds or may buy any proprietary data."""
        return bool(
            self.platforms
            or self.snapshot_cutoff is not None
            or self.licence_docs
            or self.endowment
            or self.revenue_share
        )


class LicenceParams(Params):
    """A licence a platform sells: its posts published up to the licence's end."""

    platform: Int = Field(
        ge=0, le=1000, description="The platform selling it (0 .. web.platforms - 1)."
    )
    price: Real = Field(
        ge=0.0,
        le=1e9,
        description="Price per 1,000 tokens of the archive at the purchase step.",
    )
    exclusive: bool = Field(
        False, description="At most one buyer holds it at a time (no overlapping licences)."
    )
    duration: Int = Field(
        12, ge=1, le=100_000, description="Steps it lasts (it expires at purchase + duration)."
    )
    buyer: str | None = Field(
        None,
        description="A company that has already bought it at `start` (a deal struck); null: an "
        "open offer that companies buy by the purchase rule.",
    )
    start: Int = Field(
        0,
        ge=0,
        le=100_000,
        description="The step of a struck deal (with buyer); ignored for open offers.",
    )


def holdings_rules(scenario, add) -> None:
    """Rules between holdings, licences and the rest of ``scenario`` (an EcosystemScenario).

    ``add(loc, value, message)`` records an error at field ``loc``: a platform that does not
    exist, one platform owned by two companies, an unknown buyer, an exclusive licence sold
    twice for overlapping steps, a snapshot cutoff after the run ends.
    """
    n_platforms = scenario.web.platforms
    owners: dict[int, str] = {}
    for i, company in enumerate(scenario.companies):
        where = ("companies", i, "holdings")
        held = company.holdings
        for j, platform in enumerate(held.platforms):
            if not 0 <= platform < n_platforms:
                add((*where, "platforms", j), platform, _no_platform(platform, n_platforms))
            elif platform in owners:
                add(
                    (*where, "platforms", j),
                    platform,
                    f"platform {platform} is already owned by {owners[platform]!r} "
                    "(a platform has one owner)",
                )
            else:
                owners[platform] = company.name
        if held.snapshot_cutoff is not None and held.snapshot_cutoff > scenario.steps:
            add(
                (*where, "snapshot_cutoff"),
                held.snapshot_cutoff,
                f"the snapshot cutoff is after the run ends (steps: {scenario.steps})",
            )
    names = [c.name for c in scenario.companies]
    struck: dict[int, list[tuple[int, int, int]]] = {}
    for i, licence in enumerate(scenario.licences):
        where = ("licences", i)
        if not 0 <= licence.platform < n_platforms:
            add((*where, "platform"), licence.platform, _no_platform(licence.platform, n_platforms))
        if licence.buyer is None:
            continue
        if licence.buyer not in names:
            allowed = ", ".join(repr(n) for n in names) or "none defined"
            add(
                (*where, "buyer"),
                licence.buyer,
                f"unknown company {licence.buyer!r} (companies: {allowed}; null for an open offer)",
            )
        elif owners.get(licence.platform) == licence.buyer:
            add((*where, "buyer"), licence.buyer, "a company cannot buy its own platform's posts")
        if licence.start >= scenario.steps:
            add((*where, "start"), licence.start, f"must be < steps ({scenario.steps})")
        end = licence.start + licence.duration
        for j, start, other_end in struck.get(licence.platform, []):
            overlap = start < end and licence.start < other_end
            if overlap and (licence.exclusive or scenario.licences[j].exclusive):
                add(
                    (*where, "start"),
                    licence.start,
                    f"an exclusive licence to platform {licence.platform} is sold twice for "
                    f"overlapping steps (licences.{j}: steps {start}..{other_end - 1})",
                )
        struck.setdefault(licence.platform, []).append((i, licence.start, end))


def _no_platform(platform: int, n_platforms: int) -> str:
    return f"no platform {platform} (web.platforms: {n_platforms}, indices 0..{n_platforms - 1})"
