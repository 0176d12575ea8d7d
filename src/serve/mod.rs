//! `simulate serve`: a local web app over one scenario, and the HTTP API under it.
//!
//! The page (`/`, with its script and style embedded in the binary, no CDN) shows the headline
//! probabilities, the revenue fan chart and the break-even histogram, with a slider for each of
//! the inputs that move break-even most ([`controls`]). Moving one re-runs the engine here at a
//! preview size; a newer request of the same page cancels the stale one ([`runs`]). The API:
//!
//! * `GET /api/run?set=KEY=VALUE&paths=N&seed=S&sampler=mc&format=json` runs like
//!   `simulate FILE --set KEY=VALUE --paths N ... --format json` and answers with the same
//!   bytes; `download=1` makes it an attachment.
//! * `GET /api/view?...` the page's own call: the report, its charts as SVG and the timing.
//! * `GET /api/controls` the controls and the server's limits.
//!
//! Every request is untrusted input ([`request`]): a bad value gets status 400 and the message
//! the command line gives, a run over the path bound or beyond the number of concurrent runs is
//! refused, and no request can stop the server. It binds to 127.0.0.1 unless told otherwise,
//! and answers only requests whose `Host` is its own address or `localhost` ([`host`]; 403
//! otherwise), against DNS rebinding.

pub mod controls;
pub mod host;
pub mod request;
pub mod runs;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use crate::analysis::AnalysisError;
use crate::analysis::Event;
use crate::engine::{NoProgress, Plan};
use crate::report::html::{self, Document};
use crate::report::svg::{self, ChartError};
use crate::report::{Format, Report};
use crate::run_request;
use crate::scenario::{self, Scenario, ScenarioError};

use controls::Control;
use request::{BadRequest, Rendering, RunRequest};
use runs::{Refusal, Runs};

/// Paths of a preview run (a slider moved) unless the server is told otherwise.
pub const PREVIEW_PATHS: u64 = 20_000;
/// The most paths one request may ask for unless the server is told otherwise.
pub const MAX_PATHS: u64 = 5_000_000;
/// Runs computed at once unless the server is told otherwise.
pub const MAX_RUNS: usize = 2;
/// Controls on the page unless the server is told otherwise.
pub const CONTROLS: usize = 8;
/// Paths of each tornado run that ranks the controls at start-up.
pub const RANKING_PATHS: u64 = 10_000;
/// How long a request waits for a free run before it is refused (503).
const RUN_WAIT: Duration = Duration::from_secs(10);
/// How long a shutdown waits for requests in flight.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(3);

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const STYLE_CSS: &str = include_str!("assets/style.css");

/// How to serve.
#[derive(Debug, Clone)]
pub struct Config {
    /// The scenario's text and where it was read from (named in reports and errors).
    pub text: String,
    pub origin: String,
    pub address: SocketAddr,
    /// Worker threads of the runs (`None`: one per core).
    pub threads: Option<usize>,
    pub preview_paths: u64,
    pub max_paths: u64,
    pub max_runs: usize,
    /// Controls the page shows at first (the others can be added).
    pub controls: usize,
}

/// Why the server cannot start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Ranking(#[from] AnalysisError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A server bound to its address and ready to run.
pub struct Server {
    app: Arc<App>,
    listener: std::net::TcpListener,
}

/// What every request shares.
struct App {
    config: Config,
    /// The scenario as the file has it.
    scenario: Scenario,
    pool: rayon::ThreadPool,
    runs: Arc<Runs>,
    controls: Vec<Control>,
    /// The scenario file's name for downloads (`openai.json`).
    stem: String,
    /// The address listened on (with the port chosen for port 0), which `Host` must name.
    address: SocketAddr,
}

impl Server {
    /// Compiles the scenario, ranks its inputs for the controls, and binds the address.
    pub fn bind(config: Config) -> Result<Server, ServeError> {
        let scenario = scenario::parse(&config.text, &config.origin, &[])?;
        run_request::single_firm(&scenario)?;
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(t) = config.threads {
            pool = pool.num_threads(t);
        }
        let pool = pool.build()?;
        let seed = scenario.defaults.seed.unwrap_or(run_request::DEFAULT_SEED);
        let controls =
            pool.install(|| controls::rank(&scenario, &Plan::whole(seed, RANKING_PATHS)))?;
        let listener =
            std::net::TcpListener::bind(config.address).map_err(|source| ServeError::Bind {
                address: config.address,
                source,
            })?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let stem = Path::new(&config.origin)
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|s| {
                s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            })
            .unwrap_or("scenario")
            .to_string();
        Ok(Server {
            app: Arc::new(App {
                runs: Runs::new(config.max_runs.max(1), RUN_WAIT),
                config,
                scenario,
                pool,
                controls,
                stem,
                address,
            }),
            listener,
        })
    }

    /// The address it listens on (with the port the system chose for port 0).
    pub fn local_addr(&self) -> Result<SocketAddr, ServeError> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until `shutdown` completes (Ctrl-C, say), then cancels the runs in flight and
    /// waits briefly for their requests. `ready` is called once the server listens and
    /// `shutdown` has been polled once, so that a signal handler it installs is in place: a
    /// Ctrl-C sent as soon as `ready` announces the server is not lost (a background process
    /// of a script starts with SIGINT ignored until the handler replaces that).
    pub fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
        ready: impl FnOnce(),
    ) -> Result<(), ServeError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let app = self.app.clone();
        let result = runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener)?;
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let server = tokio::spawn(
                axum::serve(listener, router(app.clone()))
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .into_future(),
            );
            let mut shutdown = std::pin::pin!(shutdown);
            let early = std::future::poll_fn(|cx| {
                std::task::Poll::Ready(shutdown.as_mut().poll(cx).is_ready())
            })
            .await;
            ready();
            if !early {
                shutdown.await;
            }
            app.runs.close();
            let _ = stop.send(());
            match tokio::time::timeout(SHUTDOWN_WAIT, server).await {
                Ok(Ok(result)) => result,
                // Requests still open after the wait, or a panicked server task: stop anyway.
                Ok(Err(_)) | Err(_) => Ok(()),
            }
        });
        runtime.shutdown_timeout(SHUTDOWN_WAIT);
        Ok(result?)
    }
}

/// A future that completes on Ctrl-C (SIGINT).
pub async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handling on this platform: serve until killed.
        std::future::pending::<()>().await;
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/app.js", get(script))
        .route("/style.css", get(style))
        .route("/api/controls", get(api_controls))
        .route("/api/run", get(api_run))
        .route("/api/view", get(api_view))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            check_host,
        ))
        .with_state(app)
}

/// Refuses (403) a request whose `Host` is not this server's address ([`host::check`]).
async fn check_host(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("(not text)"));
    match host::check(host, app.address) {
        Ok(()) => next.run(request).await,
        Err(message) => failure(StatusCode::FORBIDDEN, &message),
    }
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE_CSS)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

async fn not_found() -> Response {
    failure(StatusCode::NOT_FOUND, "no such page (try / or /api/run)")
}

/// A failed request: the status and one `error:` line, as the command line prints it.
fn failure(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("error: {message}\n"),
    )
        .into_response()
}

/// What the page needs to draw its controls.
#[derive(Serialize)]
struct ControlsView<'a> {
    scenario: &'a str,
    description: &'a str,
    file: &'a str,
    preview_paths: u64,
    default_paths: u64,
    max_paths: u64,
    /// How many of the controls the page shows at first.
    shown: usize,
    /// Every uncertain input, by tornado rank.
    controls: &'a [Control],
}

async fn api_controls(State(app): State<Arc<App>>) -> Response {
    let view = ControlsView {
        scenario: &app.scenario.name,
        description: &app.scenario.description,
        file: &app.config.origin,
        preview_paths: app.config.preview_paths,
        default_paths: app.default_paths(),
        max_paths: app.config.max_paths,
        shown: app.config.controls,
        controls: &app.controls,
    };
    json_response(&view)
}

fn json_response<T: Serialize>(value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

async fn api_run(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let request = match RunRequest::parse(query.as_deref().unwrap_or(""), app.config.max_paths) {
        Ok(r) => r,
        Err(BadRequest(m)) => return failure(StatusCode::BAD_REQUEST, &m),
    };
    let (format, download) = (request.format, request.download);
    let command = request.run.command(&app.config.origin);
    match app.clone().run(request, false).await {
        Ok(done) => {
            let (content_type, extension, body) = match format {
                Rendering::Report(format) => {
                    let (content_type, extension) = match format {
                        Format::Json => ("application/json", "json"),
                        Format::Csv => ("text/csv; charset=utf-8", "csv"),
                        Format::Markdown => ("text/markdown; charset=utf-8", "md"),
                        Format::Table => ("text/plain; charset=utf-8", "txt"),
                        Format::Xlsx => (
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            "xlsx",
                        ),
                    };
                    match format.render(&done.report) {
                        Ok(body) => (content_type, extension, body),
                        Err(e) => {
                            return failure(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
                        }
                    }
                }
                Rendering::Html => {
                    let document = Document {
                        report: &done.report,
                        scenario: &done.scenario,
                        sensitivity: None,
                        curve: None,
                        grid: None,
                        event: Event::BREAK_EVEN,
                        calibration: None,
                        notes: vec![HTML_NOTE.to_string()],
                        command,
                    };
                    match html::render(&document) {
                        Ok(page) => ("text/html; charset=utf-8", "html", page.into_bytes()),
                        Err(e) => {
                            return failure(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
                        }
                    }
                }
            };
            // A workbook is always a download.
            let download = download || extension == "xlsx";
            let disposition = if download {
                format!("attachment; filename=\"{}.{extension}\"", app.stem)
            } else {
                "inline".to_string()
            };
            (
                [
                    (header::CONTENT_TYPE, content_type.to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response()
        }
        Err(f) => f.into_response(),
    }
}

/// Why the web app's HTML report has no analyses.
const HTML_NOTE: &str = "This report of the web app's current view has the run's sections \
    only; `simulate report` adds the tornado, the sweeps and the calibration.";

/// The page's view of a run.
#[derive(Serialize)]
struct View<'a> {
    report: &'a Report,
    /// The revenue fan chart and the break-even histogram, as SVG.
    fan_chart: &'a str,
    break_even_chart: &'a str,
    /// Wall time of the run, in milliseconds.
    elapsed_ms: f64,
    /// The query that reproduces this view.
    query: String,
}

async fn api_view(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let request = match RunRequest::parse(query.as_deref().unwrap_or(""), app.config.max_paths) {
        Ok(r) => r,
        Err(BadRequest(m)) => return failure(StatusCode::BAD_REQUEST, &m),
    };
    let query = request.to_query();
    match app.clone().run(request, true).await {
        Ok(done) => {
            let charts = done.charts.as_ref().expect("asked for charts");
            json_response(&View {
                report: &done.report,
                fan_chart: &charts.0,
                break_even_chart: &charts.1,
                elapsed_ms: done.report.run.elapsed.as_secs_f64() * 1e3,
                query,
            })
        }
        Err(f) => f.into_response(),
    }
}

/// A finished run.
struct Done {
    scenario: Scenario,
    report: Report,
    /// The fan chart and the break-even histogram, when asked for.
    charts: Option<(String, String)>,
}

/// A run that did not finish: its status and message.
struct Failure {
    status: StatusCode,
    message: String,
}

impl Failure {
    fn bad(message: impl ToString) -> Failure {
        Failure {
            status: StatusCode::BAD_REQUEST,
            message: message.to_string(),
        }
    }

    fn into_response(self) -> Response {
        failure(self.status, &self.message)
    }
}

impl From<ChartError> for Failure {
    fn from(e: ChartError) -> Failure {
        Failure {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: e.to_string(),
        }
    }
}

impl App {
    fn default_paths(&self) -> u64 {
        run_request::RunRequest::new()
            .paths_and_seed(&self.scenario)
            .0
    }

    /// Runs a request on the worker pool once a permit is free; the run is cancelled if this
    /// future is dropped (the client went away) or a newer request of its session arrives.
    async fn run(self: Arc<Self>, request: RunRequest, charts: bool) -> Result<Done, Failure> {
        let refused = |r: Refusal| Failure {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: match r {
                Refusal::Busy => format!(
                    "the server is busy: {} runs are in progress; try again",
                    self.config.max_runs
                ),
                Refusal::Closed => "the server is shutting down".to_string(),
            },
        };
        let ticket = self.runs.ticket(request.session.clone()).map_err(refused)?;
        let permit = self.runs.permit().await.map_err(refused)?;
        if ticket.is_cancelled() {
            return Err(superseded());
        }
        let cancel = ticket.cancel_flag();
        let app = self.clone();
        let job = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            app.compute(&request, &cancel, charts)
        });
        let result = match job.await {
            Ok(result) => result,
            Err(_) => Err(Failure {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: "the run failed unexpectedly; the server goes on".to_string(),
            }),
        };
        match result {
            Ok(done) if done.report.partial => Err(if ticket.is_cancelled() {
                superseded()
            } else {
                refused(Refusal::Closed)
            }),
            other => other,
        }
    }

    /// Compiles the scenario with the request's overrides and runs it, as `simulate FILE` does.
    fn compute(
        &self,
        request: &RunRequest,
        cancel: &AtomicBool,
        charts: bool,
    ) -> Result<Done, Failure> {
        let done = self
            .pool
            .install(|| {
                request
                    .run
                    .run(&self.config.text, &self.config.origin, &NoProgress, cancel)
            })
            .map_err(Failure::bad)?;
        let report = done.report;
        let charts = if charts && !report.partial {
            Some((
                svg::fan_chart(&report, &done.scenario)?,
                svg::event_year_histogram(
                    &report.break_even.operating,
                    "Year of operating break-even",
                )?,
            ))
        } else {
            None
        };
        Ok(Done {
            scenario: done.scenario,
            report,
            charts,
        })
    }
}

fn superseded() -> Failure {
    Failure {
        status: StatusCode::CONFLICT,
        message: "cancelled: a newer request of the same session replaced this one".to_string(),
    }
}
