//! `ocus`: the OCUS API v3 from the shell, over the `ocus` crate.
//!
//! The key comes from the environment only (`OCUS_API_KEY` or `OCUS_API_KEY_FILE`), never from
//! a flag, so it does not land in shell history or `ps` output.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use futures_util::TryStreamExt;
use ocus::{Client, ErrorKind, ListParams, RequestOptions};

const ENVIRONMENT_HELP: &str = "
Environment:
  OCUS_API_KEY       the API key
  OCUS_API_KEY_FILE  a file holding the API key (re-read on 401/403)
  OCUS_BASE_URL      the API base URL (default https://api.ocus.io/v3)
  OCUS_CA_BUNDLE     a PEM file of extra CA certificates to trust (a private CA)
  OCUS_LOG           log level for stderr (error, warn, info, debug); never logs the key";

/// The exit status of an error: the core's one number per kind (the C ABI's too).
fn exit_code(kind: ErrorKind) -> u8 {
    kind.code()
}

/// The exit-code table of `--help`, from the core's table of kinds.
fn exit_codes_help() -> String {
    let mut text =
        String::from("Exit codes:\n   0  success\n   1  internal error\n   2  usage error\n");
    for kind in ErrorKind::ALL {
        text.push_str(&format!(
            "  {:2}  {:<20}{}\n",
            kind.code(),
            kind.as_str(),
            kind.summary()
        ));
    }
    text + ENVIRONMENT_HELP
}

#[derive(Parser, Debug)]
#[command(name = "ocus", version, about = "The OCUS API v3 from the shell. JSON on stdout.", after_help = exit_codes_help())]
struct Cli {
    /// On error, also print what caused it (the whole cause chain).
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

/// How to reach the API: only on the commands that call it (`webhooks` works offline).
#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Connection")]
struct ConnectionArgs {
    // The help of each flag is the core's option doc and default (`ocus::options::OPTIONS`).
    #[arg(long, global = true, value_name = "URL", help = option_help("base_url"))]
    base_url: Option<String>,
    #[arg(long, global = true, value_name = "SECONDS", help = option_help("timeout"))]
    timeout: Option<f64>,
    #[arg(long, global = true, value_name = "N", help = option_help("max_retries"))]
    max_retries: Option<u32>,
    #[arg(long, global = true, value_name = "PEM_FILE", help = option_help("ca_bundle"))]
    ca_bundle: Vec<std::path::PathBuf>,
    #[arg(long, global = true, value_name = "URL", help = option_help("proxy"))]
    proxy: Option<String>,
    /// An extra request header, e.g. 'traceparent: 00-...' (repeatable; a User-Agent extends
    /// the CLI's).
    #[arg(
        long = "header",
        short = 'H',
        global = true,
        value_name = "NAME: VALUE"
    )]
    headers: Vec<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Projects: list them or get one.
    Projects {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        command: ProjectsCommand,
    },
    /// Any v3 path, with the same auth, retries and errors.
    Request {
        /// GET, POST, PUT, PATCH, DELETE...
        method: String,
        /// Path under the base URL, e.g. /projects.
        path: String,
        /// A JSON body.
        #[arg(long, value_name = "JSON")]
        data: Option<String>,
        /// Query parameters as NAME=VALUE (repeatable).
        #[arg(long = "query", value_name = "NAME=VALUE")]
        query: Vec<String>,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Webhooks: verify a delivery or sign a test one (offline: no API call).
    Webhooks {
        #[command(subcommand)]
        command: WebhooksCommand,
    },
}

#[derive(Subcommand, Debug)]
enum ProjectsCommand {
    /// List projects: one page (the API's JSON), or every page with --all (one JSON array of
    /// projects, streamed) or --jsonl (one project per line).
    List {
        /// Follow links.next and print every project as one JSON array.
        #[arg(long, conflicts_with = "jsonl")]
        all: bool,
        /// Follow links.next and print every project, one JSON object per line.
        #[arg(long)]
        jsonl: bool,
        /// Projects per page (from 1; the server's default when absent).
        #[arg(long, value_name = "N")]
        page_size: Option<u32>,
        /// Which page to print, from 1 (default: the first; with --all or --jsonl, where to
        /// start).
        #[arg(long, value_name = "N")]
        page: Option<u32>,
        /// Only projects with this status.
        #[arg(long)]
        status: Option<String>,
    },
    /// One project by id.
    Get {
        /// The project's id (a UUID, as in `projects list` output).
        id: String,
    },
}

#[derive(Subcommand, Debug)]
enum WebhooksCommand {
    /// Verify a webhook body read from stdin against its ocus-signature header value.
    Verify {
        /// The ocus-signature header value.
        #[arg(long)]
        signature: String,
        /// Name of the environment variable holding the webhook secret.
        #[arg(long, value_name = "VAR")]
        secret_env: String,
    },
    /// Print the ocus-signature OCUS would send for a body read from stdin (to make test
    /// deliveries for your own receiver).
    Sign {
        /// Name of the environment variable holding the webhook secret.
        #[arg(long, value_name = "VAR")]
        secret_env: String,
        /// What to sign: "body" (the raw bytes) or "data" (JSON.stringify of the body's data
        /// member); both are forms OCUS documents.
        #[arg(long, default_value = "body", value_name = "PART")]
        part: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let verbose = cli.verbose;
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let status = error.status().map(|s| format!(" {s}")).unwrap_or_default();
            let request_id = error
                .request_id()
                .map(|id| format!(" [request id {id}]"))
                .unwrap_or_default();
            eprintln!(
                "error: {}{status}: {}{request_id}",
                error.kind(),
                error.message()
            );
            if verbose {
                for cause in error.causes() {
                    eprintln!("  caused by: {cause}");
                }
            }
            ExitCode::from(exit_code(error.kind()))
        }
    }
}

/// `OCUS_LOG` (the core's levels) to stderr; an invalid value is reported when the client is
/// built, as in every language.
fn init_logging() {
    let Ok(text) = std::env::var(ocus::log::ENV_LOG) else {
        return;
    };
    let Ok(Some(level)) = ocus::LogLevel::parse(ocus::log::ENV_LOG, &text) else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::new(format!("ocus={level}"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn client(cli: &ConnectionArgs) -> ocus::Result<Client> {
    let mut builder = Client::builder()
        .from_env()
        .sdk(format!("ocus-cli/{}", ocus::VERSION));
    if let Some(url) = &cli.base_url {
        builder = builder.base_url(url);
    }
    // Through the core's option parser: the same checks and messages as every binding.
    let mut numbers = serde_json::Map::new();
    if let Some(seconds) = cli.timeout {
        // NaN and infinities have no JSON number: sent as text, so the core refuses them by name
        // instead of reading null ("not set").
        let value = serde_json::Number::from_f64(seconds)
            .map_or_else(|| seconds.to_string().into(), serde_json::Value::Number);
        numbers.insert("timeout".into(), value);
    }
    if let Some(retries) = cli.max_retries {
        numbers.insert("max_retries".into(), retries.into());
    }
    builder = builder.options(numbers)?;
    for path in &cli.ca_bundle {
        builder = builder.ca_bundle(path);
    }
    if let Some(url) = &cli.proxy {
        builder = builder.proxy(url);
    }
    for header in &cli.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| configuration(format!("--header {header:?} must be NAME: VALUE")))?;
        builder = builder.default_header(name.trim(), value.trim());
    }
    builder.build()
}

/// A flag's help: the core's one line of docs for the option, and its default (durations in
/// seconds, as the flags take them).
fn option_help(name: &str) -> String {
    let spec = ocus::options::option(name).expect("an option of the core's table");
    match spec.default_text(|d| format!("{} s", d.as_secs_f64())) {
        Some(default) => format!("{} Default: {default}.", spec.doc()),
        None => spec.doc(),
    }
}

/// Errors about the command line itself, reported like the SDK's own configuration errors.
fn configuration(message: String) -> ocus::Error {
    ocus::Error::new(ErrorKind::Configuration, message)
}

fn webhook_secret(variable: &str) -> ocus::Result<String> {
    std::env::var(variable)
        .map_err(|_| configuration(format!("the environment variable {variable} is not set")))
}

fn stdin_body() -> ocus::Result<Vec<u8>> {
    let mut body = Vec::new();
    std::io::stdin()
        .read_to_end(&mut body)
        .map_err(|e| configuration(format!("cannot read the body from stdin ({e})")))?;
    Ok(body)
}

fn print_json(value: &serde_json::Value) -> ocus::Result<()> {
    let mut stdout = std::io::stdout().lock();
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let _ = writeln!(stdout, "{text}");
    Ok(())
}

/// Every project, streamed as fetched: one JSON array (pretty, like every other output), or
/// with `jsonl` one compact object per line. An error after the first page leaves the array
/// unclosed on stdout, so a consumer cannot take a partial list for a whole one.
async fn print_every_project(client: &Client, params: ListParams, jsonl: bool) -> ocus::Result<()> {
    let mut stream = std::pin::pin!(client.projects().stream(params));
    let mut stdout = std::io::stdout().lock();
    let mut first = true;
    while let Some(project) = stream.try_next().await? {
        let written = if jsonl {
            writeln!(stdout, "{}", project.to_json())
        } else {
            let json = serde_json::to_string_pretty(&project.to_json()).unwrap_or_default();
            let separator = if first { "[\n" } else { ",\n" };
            write!(stdout, "{separator}{}", indent(&json))
        };
        if written.is_err() {
            return Ok(()); // the reader has gone (`| head`): fetch no more pages
        }
        first = false;
    }
    if !jsonl {
        let _ = writeln!(stdout, "{}", if first { "[]" } else { "\n]" });
    }
    Ok(())
}

/// `json` indented by two spaces, as an element of a pretty-printed array.
fn indent(json: &str) -> String {
    json.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn run(cli: Cli) -> ocus::Result<()> {
    match &cli.command {
        Command::Projects {
            connection,
            command,
        } => {
            let client = client(connection)?;
            match command {
                ProjectsCommand::List {
                    all,
                    jsonl,
                    page_size,
                    page,
                    status,
                } => {
                    let mut params = ListParams::new();
                    if let Some(size) = page_size {
                        params = params.page_size(*size);
                    }
                    if let Some(number) = page {
                        params = params.page_number(*number);
                    }
                    if let Some(status) = status {
                        params = params.status(status.as_str());
                    }
                    if *all || *jsonl {
                        print_every_project(&client, params, *jsonl).await
                    } else {
                        let page = client.projects().list(&params).await?;
                        print_json(&serde_json::to_value(&page).unwrap_or_default())
                    }
                }
                ProjectsCommand::Get { id } => {
                    let project = client.projects().get(id).await?;
                    print_json(&project.to_json())
                }
            }
        }
        Command::Request {
            method,
            path,
            data,
            query,
            connection,
        } => {
            let client = client(connection)?;
            let mut options = RequestOptions::new();
            for pair in query {
                let (name, value) = pair
                    .split_once('=')
                    .ok_or_else(|| configuration(format!("--query {pair:?} is not NAME=VALUE")))?;
                options = options.query(name, value);
            }
            if let Some(data) = data {
                let json = serde_json::from_str(data)
                    .map_err(|e| configuration(format!("--data is not valid JSON ({e})")))?;
                options = options.json(json);
            }
            let value = client.request_str(method, path, options).await?;
            print_json(&value)
        }
        Command::Webhooks {
            command:
                WebhooksCommand::Verify {
                    signature,
                    secret_env,
                },
        } => {
            let (secret, body) = (webhook_secret(secret_env)?, stdin_body()?);
            let event = ocus::webhooks::verify(&body, signature, secret.as_bytes())?;
            print_json(&serde_json::to_value(event.view()).unwrap_or_default())
        }
        Command::Webhooks {
            command: WebhooksCommand::Sign { secret_env, part },
        } => {
            let (secret, body) = (webhook_secret(secret_env)?, stdin_body()?);
            let part = ocus::webhooks::SignedPart::parse(part)?;
            println!(
                "{}",
                ocus::webhooks::sign_part(&body, secret.as_bytes(), part)?
            );
            Ok(())
        }
    }
}
