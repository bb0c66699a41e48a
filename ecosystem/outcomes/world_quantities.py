"""What the ecosystem's columns mean: the web (steps), companies, holdings, money and the moat."""

from __future__ import annotations

from ecosystem.outcomes.entries import COUNT, ID, SHARE, Quantity

WORLD_QUANTITIES: dict[str, Quantity] = {
    # --- the web (ecosystem steps)
    "docs_new": Quantity(
        "New documents", "documents per step", COUNT, meaning="Documents published this step."
    ),
    "docs_total": Quantity(
        "Documents on the web", "documents", COUNT, meaning="All documents on the web."
    ),
    "human_docs_new": Quantity(
        "New human documents",
        "documents per step",
        COUNT,
        meaning="Human documents published this step.",
    ),
    "ai_docs_new": Quantity(
        "New AI documents",
        "documents per step",
        COUNT,
        meaning="AI documents published this step (assisted + farm).",
    ),
    "farm_docs_new": Quantity(
        "New content-farm documents",
        "documents per step",
        COUNT,
        meaning="Documents of content farms.",
    ),
    "assisted_docs_new": Quantity(
        "New assisted documents",
        "documents per step",
        COUNT,
        meaning="AI documents published by human adopters (not farms).",
    ),
    "human_platform_docs_new": Quantity(
        "New human platform posts",
        "documents per step",
        COUNT,
        meaning="Human posts on platform sites: the Q&A posting of del Rio-Chanona et al.",
    ),
    "ai_share_new": Quantity(
        "AI share of new documents", "share", SHARE, meaning="AI share of this step's documents."
    ),
    "ai_share_web": Quantity(
        "AI share of the web", "share", SHARE, meaning="AI share of all documents on the web."
    ),
    "human_authors_active": Quantity(
        "Active human authors", "authors", COUNT, meaning="Human authors who have not quit."
    ),
    "ai_adopters": Quantity(
        "AI adopters", "authors", COUNT, meaning="Active authors who use AI tools."
    ),
    "adopter_share": Quantity(
        "Adopters among active authors",
        "share",
        SHARE,
        meaning="ai_adopters / human_authors_active.",
    ),
    "sites": Quantity("Sites", "sites", COUNT, meaning="Sites on the web."),
    "farm_pagerank_share": Quantity(
        "PageRank on content farms",
        "share",
        SHARE,
        meaning="PageRank mass on farm sites (at its last recomputation).",
    ),
    "opted_out_share": Quantity(
        "Sites opted out of crawling",
        "share",
        SHARE,
        meaning="Share of opt-out-eligible sites blocking a crawler, mean over crawlers.",
    ),
    "opted_out_token_share": Quantity(
        "Tokens opted out of crawling",
        "share",
        SHARE,
        meaning="Share of the web's tokens on sites blocking a crawler, mean over crawlers.",
    ),
    "opted_out_critical_share": Quantity(
        "Critical sources opted out",
        "share",
        SHARE,
        meaning="Share of the critical sources (opt_out.critical_top of eligible sites by "
        "PageRank) blocking a crawler, mean over crawlers.",
    ),
    "watermarked_docs_new": Quantity(
        "Watermarked documents published",
        "documents",
        COUNT,
        meaning="New documents carrying a watermark this step.",
    ),
    "labelled_docs_new": Quantity(
        "Labelled posts published",
        "documents",
        COUNT,
        meaning="New AI-assisted platform posts carrying a provenance label this step.",
    ),
    "levy_revenue": Quantity(
        "Levy revenue",
        "price units per step",
        meaning="Levy collected this step on documents written with companies' models.",
    ),
    "archive_spending": Quantity(
        "Archive spending",
        "price units per step",
        meaning="Levy money spent this step on verified human documents for the archive.",
    ),
    "author_payments": Quantity(
        "Payments to authors",
        "price units per step",
        meaning="Levy money paid to active human authors this step.",
    ),
    "payment_per_author": Quantity(
        "Payment per author",
        "price units per step",
        meaning="author_payments / active human authors (lowers next step's quit hazard).",
    ),
    "archive_docs": Quantity(
        "Archive size",
        "documents",
        COUNT,
        meaning="Verified human documents in the levy-funded archive.",
    ),
    "best_quality": Quantity(
        "Best model on offer",
        "−excess cross-entropy, nats/token",
        better="higher",
        meaning="Quality of the best product on offer (NaN before any).",
    ),
    "market_hhi": Quantity(
        "Market concentration (HHI)",
        "0 to 1",
        ".2f",
        meaning="Herfindahl-Hirschman index of products' users (0 while nobody uses AI).",
    ),
    # --- companies (ecosystem firms)
    "market_share": Quantity(
        "Market share", "share of AI users", SHARE, meaning="Logit share of the company's product."
    ),
    "quality": Quantity(
        "Model quality",
        "−excess cross-entropy, nats/token",
        better="higher",
        meaning="Quality of the deployed model (null: nothing deployed).",
    ),
    "users": Quantity(
        "Users", "authors", COUNT, meaning="Active adopters using the company's product."
    ),
    "user_share": Quantity(
        "User share", "share of AI users", SHARE, meaning="users / all products' users."
    ),
    "deployed_trainer": Quantity(
        "Deployed trainer", fmt=ID, meaning="Trainer of the deployed model."
    ),
    "deployed_generation": Quantity(
        "Deployed generation", fmt=COUNT, meaning="Generation of the deployed model."
    ),
    "price": Quantity(
        "Price", "relative units per document", meaning="Price per document of its model."
    ),
    "levy_paid": Quantity(
        "Levy paid",
        "price units per step",
        meaning="Levy on the documents written with the company's model this step.",
    ),
    # --- holdings, money and the moat (ecosystem firms, generations, licences)
    "holds_data": Quantity(
        "Holds data",
        fmt=ID,
        meaning="The company has a holdings block (owned platforms, a snapshot or a licence "
        "budget): not a scrape-only firm.",
    ),
    "owned_platforms": Quantity(
        "Owned platforms", "platforms", COUNT, meaning="Platforms the company owns."
    ),
    "platform_tokens": Quantity(
        "Own platforms' tokens",
        "tokens",
        COUNT,
        meaning="Tokens of every post on the company's own platforms (AI-assisted included).",
    ),
    "licensed_tokens": Quantity(
        "Licensed tokens",
        "tokens",
        COUNT,
        meaning="Tokens of the archives the company holds an active licence to.",
    ),
    "snapshot_tokens": Quantity(
        "Snapshot tokens",
        "tokens",
        COUNT,
        meaning="Tokens of the company's pre-cutoff snapshot.",
    ),
    "proprietary_docs": Quantity(
        "Proprietary documents",
        "documents",
        COUNT,
        meaning="Documents of the company's holdings in the training data, besides the crawl.",
    ),
    "proprietary_tokens": Quantity(
        "Proprietary tokens",
        "tokens",
        COUNT,
        meaning="Tokens of the company's holdings in the training data (firms: of its deployed "
        "model).",
    ),
    "proprietary_share": Quantity(
        "Proprietary share of training data",
        "share",
        SHARE,
        meaning="Share of the training documents that came from the company's holdings.",
    ),
    "human_share": Quantity(
        "Human share of training data",
        "share",
        SHARE,
        "higher",
        "Share of its deployed model's training documents written by people.",
    ),
    "consumer_users": Quantity(
        "Consumers",
        "people",
        ",.1f",
        "higher",
        "Consumer demand it wins beyond the authors: market.consumers · share · u^elasticity.",
    ),
    "revenue": Quantity(
        "Revenue",
        "relative units per step",
        better="higher",
        meaning="(users + consumers) × price this step.",
    ),
    "licence_spend": Quantity(
        "Licence spend",
        "relative units per step",
        meaning="Money paid for licences this step.",
    ),
    "licence_income": Quantity(
        "Licence income",
        "relative units per step",
        meaning="Money received for licences to its platforms this step.",
    ),
    "budget": Quantity(
        "Licence budget",
        "relative units",
        meaning="Money left for licences: endowment + revenue_share × revenue + income − spend "
        "(negative after a struck deal it could not afford).",
    ),
    "moat_gap": Quantity(
        "Moat gap",
        "quality difference, nats/token",
        better="higher",
        meaning="Its deployed model's quality minus that of the best scrape-only trainer's latest "
        "model at this step (trainers of companies without holdings and independents, not "
        "human-only controls).",
    ),
    "moat_ratio": Quantity(
        "Moat ratio",
        "excess cross-entropy ÷ best scraper's",
        better="lower",
        meaning="Its deployed model's excess cross-entropy over the best scrape-only trainer's "
        "(below 1: better than any scraper).",
    ),
    "seller": Quantity(
        "Seller", fmt=ID, meaning="The platform's owning company, or `platform N` if independent."
    ),
    "buyer": Quantity("Buyer", fmt=ID, meaning="The company that bought the licence."),
    "platform": Quantity("Platform", fmt=ID, meaning="The platform whose posts are licensed."),
    "tokens": Quantity(
        "Licensed tokens", "tokens", COUNT, meaning="Tokens of the archive at the purchase."
    ),
    "price_per_1k_tokens": Quantity(
        "Licence price", "relative units per 1,000 tokens", meaning="The offer's price."
    ),
    "paid": Quantity(
        "Amount paid", "relative units", meaning="price_per_1k_tokens × tokens / 1,000."
    ),
    "exclusive": Quantity(
        "Exclusive", fmt=ID, meaning="No other buyer may hold a licence to it until it expires."
    ),
    "expiry": Quantity(
        "Expiry", "step", COUNT, meaning="The step the licence ends (purchase + duration)."
    ),
}
