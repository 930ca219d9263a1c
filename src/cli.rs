//! Command-line interface: flags, `MUSUBI_*` environment variables, help.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The log filter when none is given.
pub const DEFAULT_LOG: &str = "info,sqlx=warn";

#[derive(Debug, Parser)]
#[command(
    name = "musubi",
    version,
    about = "Musubi (結び): B2B order-matching and electronic-bidding portal",
    long_about = "Musubi (結び): B2B order-matching and electronic-bidding portal.\n\n\
        Every flag can also be set by the MUSUBI_* environment variable shown beside it; \
        a flag wins over its variable."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Directory for the embedded database, uploaded files, keys and the search index.
    /// Created if missing; must be writable.
    #[arg(long, env = "MUSUBI_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Database to use: sqlite://PATH (embedded, the default: sqlite://<data-dir>/musubi.db)
    /// or postgres://USER[:PASSWORD]@HOST[:PORT]/DB for production.
    #[arg(long, env = "MUSUBI_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// The portal's public address, used in links sent by mail
    /// (default: http://<listen address>).
    #[arg(long, env = "MUSUBI_BASE_URL", global = true)]
    pub base_url: Option<String>,

    /// SMTP server for outgoing mail: smtp://user:pass@host:port,
    /// smtp://host:port?tls=required (STARTTLS) or smtps://host:port.
    /// Without it, mail is written to <data-dir>/mail/ and shown on the
    /// development mailbox page (/dev/mailbox).
    #[arg(long, env = "MUSUBI_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// Minimum 公告期間: days between a tender's publication and its
    /// submission deadline (予決令第74条 says 10).
    #[arg(long, env = "MUSUBI_MIN_PUBLICATION_DAYS", default_value_t = musubi_domain::tender::DEFAULT_MIN_PUBLICATION_DAYS, global = true)]
    pub min_publication_days: u32,

    /// Sender of outgoing mail.
    #[arg(long, env = "MUSUBI_MAIL_FROM", default_value = musubi_app::mail::DEFAULT_FROM, global = true)]
    pub mail_from: String,

    /// Log filter, e.g. "info", "debug", "musubi=debug,sqlx=warn".
    #[arg(
        long,
        env = "MUSUBI_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    pub log: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web portal and the background job worker.
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Run only the background job worker (to add workers beside `serve`).
    Worker(WorkerArgs),
    /// Inspect the job queue or exercise it.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Rebuild the full-text search index (<data-dir>/search) from the database.
    Reindex(ReindexArgs),
    /// Manage people from the command line.
    #[command(subcommand)]
    User(UserCommand),
    /// Demo data.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Benchmarks that back Musubi's performance figures.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Check a bid's receipt (受付票): its signature, that the transparency
    /// log holds its commitment, and after the opening that the published
    /// record reveals the bid it commits to. Exit 0 only if every check passes.
    Verify(VerifyArgs),
    /// Monitor a portal's transparency log: check the signed tree head and
    /// its consistency with earlier ones, replay every entry and recompute
    /// every opened round's winner from published data alone.
    Audit(AuditArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bidder's copy of the receipt (the JSON given at submission).
    pub receipt: PathBuf,
    /// The portal to check against, http://host:port (its published keys,
    /// latest tree head and results).
    #[arg(long)]
    pub server: Option<String>,
    /// The amount (税抜, yen) you bid: checked against the revealed amount.
    #[arg(long)]
    pub amount: Option<String>,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The portal to audit, http://host:port.
    #[arg(long)]
    pub server: String,
    /// A JSON file keeping the tree heads seen before: each is checked to be
    /// consistent with the new head, which is then added.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// The company directory's filtered lists at scale: builds (or reuses) a
    /// database of generated companies, runs a fixed set of filtered queries
    /// through the real router, and prints latency percentiles against the
    /// 50 ms p99 budget.
    Directory {
        /// Companies in the benchmark database.
        #[arg(long, default_value_t = 100_000)]
        companies: u64,
        /// Seed of the demo generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Queries in the fixed set (at least 200).
        #[arg(long, default_value_t = 300)]
        queries: usize,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// The tender page under load over real HTTP: builds (or reuses) a
    /// database of demo tenders, then keep-alive clients fetch random tender
    /// pages; `/healthz` under the same load is the baseline. Prints
    /// requests/s and the ratios to the baseline and to the 2,000 req/s target.
    TenderPage {
        /// Tenders in the benchmark database.
        #[arg(long, default_value_t = 1_000_000)]
        tenders: u64,
        /// Seed of the demo generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Concurrent clients (one keep-alive connection each).
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Seconds of load per route.
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Durable bid intake over real HTTP: `--clients` keep-alive clients post
    /// sealed bids (each from a supplier of its own, Bearer token) to one
    /// tender for `--seconds`; beside the bids per second and latencies, the
    /// raw single-row commit rate of the same database with the same
    /// settings, and the ratio. Then opens a tender holding `--open-bids`
    /// bids through the scheduler and times it. A fresh benchmark database
    /// each run (SQLite in <data-dir>/bench/bids/, or --postgres).
    Bids {
        /// Concurrent clients (one keep-alive connection each).
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Seconds of bidding (and of each raw-commit run).
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Supplier organisations set up, each with a member and an API
        /// token; each bids once (the run ends early if all have).
        #[arg(long, default_value_t = 40_000)]
        suppliers: u64,
        /// Bids in the tender whose opening is timed.
        #[arg(long, default_value_t = 10_000)]
        open_bids: u64,
        /// Run on this PostgreSQL server instead of SQLite (the benchmark
        /// creates its own database there, musubi_bench_bids).
        #[arg(long, env = "MUSUBI_BENCH_POSTGRES_URL")]
        postgres: Option<String>,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// The transparency log: appends N leaves (batches of --batch per
    /// transaction, as bids' group commits do), then times inclusion and
    /// consistency proofs at that size against the O(n) reference
    /// computation over all leaves, and prints the ratios. A fresh benchmark
    /// database each run (SQLite in <data-dir>/bench/log/, or --postgres).
    Log {
        /// Leaves appended.
        #[arg(long, default_value_t = 1_000_000)]
        leaves: u64,
        /// Leaves per transaction.
        #[arg(long, default_value_t = 1_000)]
        batch: u64,
        /// Proofs of each kind timed.
        #[arg(long, default_value_t = 2_000)]
        proofs: u64,
        /// Run on this PostgreSQL server instead of SQLite (the benchmark
        /// creates its own database there, musubi_bench_log).
        #[arg(long, env = "MUSUBI_BENCH_POSTGRES_URL")]
        postgres: Option<String>,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Recommendations (マッチング) at scale: builds (or reuses) a database
    /// of generated suppliers and open tenders with its search index in
    /// <data-dir>/bench/match/, then times the top 50 suppliers for 200
    /// tenders (p50/p99 against the 20 ms target, and the top-k selection
    /// against scoring and sorting every candidate) and one daily digest
    /// (every supplier's top 10 of the tenders; against 60 s).
    Match {
        /// Supplier companies in the benchmark database.
        #[arg(long, default_value_t = 100_000)]
        companies: u64,
        /// Open tenders in the benchmark database (the digest's new tenders).
        #[arg(long, default_value_t = 5_000)]
        tenders: u64,
        /// Seed of the demo generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Saved-search alerts at scale, in memory: N saved searches made from
    /// words of demo tender titles and filters, M new demo tenders; times
    /// each tender against every saved search (p50/p99 per tender) against
    /// one index query per saved search, and checks both find the same.
    Alerts {
        /// Saved searches.
        #[arg(long, default_value_t = 100_000)]
        saved_searches: usize,
        /// Newly published tenders.
        #[arg(long, default_value_t = 1_000)]
        tenders: usize,
        /// Seed of the demo generator and the searches.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Recommendation quality on demo data: seeds a fresh SQLite store in
    /// <data-dir>/bench/quality/ with the demo suppliers and tenders, lets
    /// the generator's "expert" pick the supplier it would invite for a
    /// sample of tenders (from latent facts the matcher never sees), then
    /// asks おすすめ企業 as each tender's buyer and reports how often the
    /// pick is in the top 10 (target 80 %), top 1 and top 3, the median
    /// rank, worked examples and the misses.
    Quality {
        /// Demo suppliers (the population the expert picks from; `serve
        /// --demo` has 2,000).
        #[arg(long, default_value_t = 2_000)]
        companies: u64,
        /// Demo tenders imported, the sample is drawn from (`serve --demo`
        /// has 10,000).
        #[arg(long, default_value_t = 10_000)]
        tenders: u64,
        /// Tenders sampled.
        #[arg(long, default_value_t = 200)]
        sample: usize,
        /// Seed of the demo generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Full-text search: Musubi against SQLite FTS5 (trigram + LIKE) and
    /// PostgreSQL pg_trgm (GIN + ILIKE) on the same corpus and queries, each
    /// checked against a brute-force substring oracle. Prints latency
    /// percentiles, throughput on 2 threads, recall, index size and build
    /// time, the ratios to the peers and the server's memory.
    Search {
        /// Tenders in the benchmark corpus (built with the demo generator).
        #[arg(long, default_value_t = 1_000_000)]
        tenders: u64,
        /// Seed of the demo generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Queries in the fixed set (at least 200 for the figures).
        #[arg(long, default_value_t = 240)]
        queries: usize,
        /// Seconds of each throughput run.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// PostgreSQL server for the pg_trgm side (the benchmark creates its
        /// own database there); without it pg_trgm is not measured.
        #[arg(long, env = "MUSUBI_BENCH_POSTGRES_URL")]
        postgres: Option<String>,
        /// Build every index again instead of reusing the last one.
        #[arg(long)]
        rebuild: bool,
        /// Measure Musubi only (engine and HTTP), without the peers: for
        /// work on Musubi's own latency. No ratios are printed.
        #[arg(long)]
        musubi_only: bool,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a platform administrator (the first one, or more). The password
    /// is read from MUSUBI_ADMIN_PASSWORD or, failing that, the first line of
    /// standard input.
    CreateAdmin {
        /// The administrator's e-mail address (also the login).
        #[arg(long)]
        email: String,
        /// The administrator's name as shown in the portal.
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Add realistic, deterministic demo organisations and tenders (案件) to
    /// the database. Running it again adds more after what is there.
    Generate {
        /// How many supplier companies to create (0 for none).
        #[arg(long, default_value_t = 1000)]
        companies: u64,
        /// How many tenders the demo buyers post (0 for none). Their dates
        /// lie around now, their status is where their life cycle has got
        /// to; the demo buyers and their accounts are created if missing.
        #[arg(long, default_value_t = 0)]
        tenders: u64,
        /// Seed: the same seed always gives the same companies and tenders.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// Re-add only the tenders or only the companies, leaving the other
    /// kind as it is (default: clear the index and add both).
    #[arg(long, value_enum)]
    pub only: Option<ReindexOnly>,

    /// Do not rebuild here: queue the rebuild for the worker of the running
    /// `musubi serve`, which holds the index (`musubi jobs status` shows when
    /// it has run).
    #[arg(long)]
    pub queue: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReindexOnly {
    Tenders,
    Companies,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "MUSUBI_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Demo mode: pages carry a banner saying the data is fictional, and an empty
    /// database is seeded with demo data.
    #[arg(long, env = "MUSUBI_DEMO")]
    pub demo: bool,

    /// Reverse proxies (IP addresses, comma-separated) whose X-Forwarded-For
    /// header names the real client, for the audit log and sign-in limits.
    #[arg(long, env = "MUSUBI_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxy: Vec<std::net::IpAddr>,

    /// Mark cookies Secure (set when the portal is served over HTTPS behind a proxy).
    #[arg(long, env = "MUSUBI_SECURE_COOKIES")]
    pub secure_cookies: bool,

    #[command(flatten)]
    pub worker: WorkerArgs,

    /// Do not run the job worker in this process (run `musubi worker`
    /// elsewhere). The search index jobs still run here: this process holds
    /// the index.
    #[arg(long, env = "MUSUBI_NO_WORKER")]
    pub no_worker: bool,
}

#[derive(Debug, Args, Clone)]
pub struct WorkerArgs {
    /// Jobs run at once by this process's worker.
    #[arg(long, env = "MUSUBI_WORKER_CONCURRENCY", default_value_t = 4)]
    pub worker_concurrency: usize,

    /// Seconds a claimed job stays exclusive; a crashed worker's jobs are
    /// picked up again after this.
    #[arg(long, env = "MUSUBI_JOB_LEASE_SECS", default_value_t = 300)]
    pub job_lease_secs: u64,

    /// Milliseconds between looks at the queue when idle.
    #[arg(long, env = "MUSUBI_JOB_POLL_MS", default_value_t = 500)]
    pub job_poll_ms: u64,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Show how many jobs are queued, running, done and failed.
    Status,
    /// Queue diagnostic `probe` jobs to check that workers drain the queue.
    Probe {
        /// How many probe jobs to queue.
        #[arg(long, default_value_t = 10)]
        count: u32,
        /// How long each probe runs, in milliseconds.
        #[arg(long, default_value_t = 0)]
        sleep_ms: u64,
        /// Make each probe fail this many attempts before succeeding.
        #[arg(long, default_value_t = 0)]
        fail_attempts: u32,
    },
}
