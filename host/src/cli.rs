//! The `backoffice` command line. Every flag can also be set through a `BACKOFFICE_*`
//! environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::acl::store::{self, Kind, Link};
use crate::auth::session::{self, Realm};
use crate::auth::{password, tokens};
use crate::clock::{Clock, SystemClock};
use crate::db::Db;
use crate::mail::MailSettings;
use crate::observe::logging::LogFormat;
use crate::plugins::PluginSettings;
use crate::state::{AppState, WebSettings};
use crate::themes::ThemeSettings;
use crate::{bootstrap, server, users};

#[derive(Debug, Parser)]
#[command(name = "backoffice", version, about = "Commerce Back Office host")]
pub struct Cli {
    /// Directory for the SQLite database and other data.
    #[arg(long, global = true, env = "BACKOFFICE_DATA", default_value = "data")]
    pub data: PathBuf,
    /// Database URL (sqlite://… or postgres://…); default: an SQLite file in the data directory.
    #[arg(long, global = true, env = "BACKOFFICE_DATABASE_URL")]
    pub database: Option<String>,
    /// How log lines are written: `text` for people, `json` (one object per line, with the
    /// request id of the request that caused it) for log shippers. What is logged is set by
    /// `BACKOFFICE_LOG` (default `info,sqlx=warn`).
    #[arg(
        long,
        global = true,
        env = "BACKOFFICE_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the Back Office over HTTP.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "BACKOFFICE_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Set when served over HTTPS or behind a TLS-terminating proxy: Secure `__Host-`
        /// cookies.
        #[arg(long, env = "BACKOFFICE_BEHIND_TLS")]
        behind_tls: bool,
        /// Reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For
        /// hops are believed: the client is the rightmost hop that is not one of them. Without
        /// it, X-Forwarded-For is ignored.
        #[arg(long, env = "BACKOFFICE_TRUSTED_PROXIES", default_value = "")]
        trusted_proxies: crate::web::proxy::TrustedProxies,
        /// Email of the first admin, used only when the database has no users.
        #[arg(long, env = "BACKOFFICE_ADMIN_EMAIL")]
        admin_email: Option<String>,
        /// Password of the first admin; generated and printed once when not set.
        #[arg(long, env = "BACKOFFICE_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: Option<String>,
        /// Extra directory of plugin `.wasm` files (third-party plugins); repeatable. The
        /// first-party plugins built by the run command (`target/plugins`) are always loaded.
        #[arg(long = "plugins", env = "BACKOFFICE_PLUGINS", value_delimiter = ',')]
        plugins: Vec<PathBuf>,
        /// Extra directory of plugins approved by configuration (repeatable): what they ask
        /// for beyond their own data is granted without an admin's approval. The first-party
        /// build (`target/plugins`) always is; uploads and `--plugins` directories never are.
        #[arg(
            long = "trusted-plugins",
            env = "BACKOFFICE_TRUSTED_PLUGINS",
            value_delimiter = ','
        )]
        trusted_plugins: Vec<PathBuf>,
        /// Directory of theme folders (one per theme); changes to their files are picked up
        /// while serving. Relative to the working directory.
        #[arg(long = "themes", env = "BACKOFFICE_THEMES", default_value = "themes")]
        themes: PathBuf,
        /// SMTP server for outgoing mail, `smtp://[user:password@]host[:port]` (plain SMTP,
        /// no TLS). Without it mail is kept unsent, readable on the Outgoing mail page.
        #[arg(long, env = "BACKOFFICE_SMTP_URL", hide_env_values = true)]
        smtp_url: Option<String>,
        /// The sender of outgoing mail.
        #[arg(
            long,
            env = "BACKOFFICE_MAIL_FROM",
            default_value = "Backoffice <backoffice@localhost>"
        )]
        mail_from: String,
        /// The shop's public address, for links in mail (e.g. `https://shop.example.com`);
        /// default: `http://` and the listen address.
        #[arg(long, env = "BACKOFFICE_PUBLIC_URL")]
        public_url: Option<String>,
        /// Largest image the media library accepts, in MiB.
        #[arg(long, env = "BACKOFFICE_MEDIA_MAX_MIB", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1024))]
        media_max_mib: u16,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage back-office users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Enable or disable plugin sections (a running host picks the change up within seconds).
    #[command(subcommand)]
    Plugin(PluginCommand),
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// List the plugins this database knows, with their state.
    List,
    /// Enable a plugin section.
    Enable { id: String },
    /// Disable a plugin section; its data is kept.
    Disable { id: String },
    /// Approve what the pending version of a plugin asks for (other sections' data,
    /// capabilities, extension points, events); a running host activates it within seconds.
    Approve { id: String },
    /// Set a plugin's limits; an omitted limit goes back to the default (2 s and 64 MiB per
    /// call, 32 calls at once).
    Limits {
        id: String,
        #[arg(long)]
        deadline_ms: Option<i64>,
        #[arg(long)]
        memory_mib: Option<i64>,
        /// Calls of the plugin that may run at once; beyond, requests get 503.
        #[arg(long)]
        max_calls: Option<i64>,
        /// Scheduled events (`publish-after`) the plugin may have pending; beyond, it is refused.
        #[arg(long)]
        max_timers: Option<i64>,
    },
}

/// Where `serve` finds the first-party plugins that the run command builds.
pub const FIRST_PARTY_PLUGINS: &str = "target/plugins";

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; prints a generated password once unless --password is given.
    Add {
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long, env = "BACKOFFICE_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Group to put the user in (by name); repeatable.
        #[arg(long = "group")]
        groups: Vec<String>,
        /// Make the user an agent: may sign in at `/agent/login` and assist customers.
        #[arg(long)]
        agent: bool,
    },
    /// List users that are not deleted.
    List,
    /// Block a user and end their sessions.
    Disable { email: String },
    /// Make a user an agent (agent assist), or with --off no longer one (ending their agent
    /// sessions).
    Agent {
        email: String,
        #[arg(long)]
        off: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; prints it once.
    Create {
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

impl Cli {
    fn database_url(&self) -> anyhow::Result<String> {
        match &self.database {
            Some(url) => Ok(url.clone()),
            None => {
                std::fs::create_dir_all(&self.data)
                    .with_context(|| format!("creating data directory {}", self.data.display()))?;
                Ok(Db::default_url(&self.data))
            }
        }
    }

    async fn open_db(&self) -> anyhow::Result<Db> {
        let db = Db::connect(&self.database_url()?).await?;
        db.migrate().await?;
        Ok(db)
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let db = cli.open_db().await?;
    let now = SystemClock.now();
    match cli.command {
        Command::Serve {
            listen,
            behind_tls,
            trusted_proxies,
            admin_email,
            admin_password,
            plugins,
            trusted_plugins,
            themes,
            smtp_url,
            mail_from,
            public_url,
            media_max_mib,
        } => {
            if let Some(first) = bootstrap::ensure_first_admin(
                &db,
                admin_email.as_deref(),
                admin_password.as_deref(),
                now,
            )
            .await?
            {
                println!("First admin created: {}", first.email);
                if let Some(password) = first.generated_password {
                    println!("Password (shown only this once): {password}");
                }
            }
            let mut trusted = vec![PathBuf::from(FIRST_PARTY_PLUGINS)];
            trusted.extend(trusted_plugins);
            let mut dirs = trusted.clone();
            dirs.extend(plugins);
            let settings = WebSettings {
                behind_tls,
                trusted_proxies,
                plugins: PluginSettings {
                    dirs,
                    upload_dir: Some(cli.data.join("plugins")),
                    cache_dir: Some(cli.data.join("cache")),
                    trusted,
                },
                themes: ThemeSettings {
                    dir: Some(themes),
                    watch: true,
                },
                mail: MailSettings {
                    smtp_url,
                    from: mail_from,
                    public_url: public_url.unwrap_or_else(|| format!("http://{listen}")),
                },
                media: crate::media::MediaSettings {
                    max_upload: usize::from(media_max_mib) << 20,
                },
                ..WebSettings::default()
            };
            let clock: Arc<dyn Clock> = Arc::new(SystemClock);
            let state = AppState::new(db, clock.clone(), settings)?;
            let _sender = crate::mail::delivery::start(state.mail().clone(), clock.clone())?;
            // Listen before loading plugins (JavaScript and Python components take seconds to
            // compile on a first start): `/healthz` answers at once, `/readyz` 503 until every
            // plugin is loaded or has failed visibly.
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("listening on {listen}"))?;
            let addr = listener.local_addr()?;
            println!("Backoffice is starting on http://{addr}: loading plugins");
            let server = tokio::spawn(server::serve(
                listener,
                state.clone(),
                server::shutdown_signal(),
            ));
            let _background = crate::plugins::start(state.plugins().clone(), clock).await;
            println!("Backoffice is serving on http://{addr}/login");
            server.await??;
        }
        Command::Migrate => println!("Database is up to date."),
        Command::User(UserCommand::Add {
            email,
            name,
            password: given,
            groups,
            agent,
        }) => {
            let email = crate::validate::email(&email)?;
            let name = if name.trim().is_empty() {
                email.clone()
            } else {
                name
            };
            let plain = match given {
                Some(p) => {
                    password::check_policy(&p).map_err(anyhow::Error::msg)?;
                    p
                }
                None => password::generate(),
            };
            let mut group_ids = Vec::new();
            for group in &groups {
                let id = store::find_by_name(&db, Kind::Group, group)
                    .await?
                    .with_context(|| format!("there is no group named {group:?}"))?;
                group_ids.push(id);
            }
            let hash = password::hash_off_thread(&plain).await?;
            let new = users::NewUser {
                email: &email,
                name: &name,
                password_hash: &hash,
                locale: "en",
            };
            let id = users::create(&db, &new, now).await?;
            store::set_links(&db, Link::UserGroups, id, &group_ids).await?;
            if agent {
                users::set_agent(&db, id, true, now).await?;
            }
            println!("User {email} created (id {id}).");
            println!("Password (shown only this once): {plain}");
        }
        Command::User(UserCommand::List) => {
            for user in users::all(&db).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    user.id,
                    user.email,
                    user.status.as_str(),
                    user.name
                );
            }
        }
        Command::User(UserCommand::Disable { email }) => {
            let user = find_user(&db, &email).await?;
            users::set_status(&db, user.id, users::Status::Blocked, now).await?;
            session::delete_all_for(db.pool(), Realm::Admin, user.id).await?;
            crate::auth::agent::revoke(&db, user.id, now).await?;
            println!("User {} is blocked and signed out.", user.email);
        }
        Command::User(UserCommand::Agent { email, off }) => {
            let user = find_user(&db, &email).await?;
            users::set_agent(&db, user.id, !off, now).await?;
            if off {
                crate::auth::agent::revoke(&db, user.id, now).await?;
                println!("User {} is no longer an agent.", user.email);
            } else {
                println!(
                    "User {} is an agent: they may assist customers.",
                    user.email
                );
            }
        }
        Command::Plugin(PluginCommand::List) => {
            let rows: Vec<(String, i64, String)> =
                sqlx::query_as("SELECT id, enabled, version FROM plugins ORDER BY id")
                    .fetch_all(db.pool())
                    .await?;
            for (id, enabled, version) in rows {
                let state = if enabled != 0 { "enabled" } else { "disabled" };
                println!("{id}\t{version}\t{state}");
            }
        }
        Command::Plugin(PluginCommand::Enable { id }) => set_plugin(&db, &id, true, now).await?,
        Command::Plugin(PluginCommand::Disable { id }) => set_plugin(&db, &id, false, now).await?,
        Command::Plugin(PluginCommand::Approve { id }) => {
            let Some(granted) =
                crate::plugins::states::approve_pending(&db, &id, "command line", now).await?
            else {
                anyhow::bail!("no version of plugin {id:?} is waiting for approval");
            };
            println!(
                "Approved for {id}: {}. Running hosts activate it within seconds.",
                granted.summary()
            );
        }
        Command::Plugin(PluginCommand::Limits {
            id,
            deadline_ms,
            memory_mib,
            max_calls,
            max_timers,
        }) => {
            let overrides = crate::plugins::runtime::Overrides {
                deadline_ms,
                memory_mib,
                max_calls,
                max_timers,
            };
            if !crate::plugins::runtime::set_limits(&db, &id, overrides, now).await? {
                anyhow::bail!("no plugin {id:?} is known to this database");
            }
            println!("Limits of {id} saved; running hosts apply them within seconds.");
        }
        Command::Token(TokenCommand::Create { email, name }) => {
            let user = find_user(&db, &email).await?;
            let (id, token) = tokens::create(&db, user.id, &name, now).await?;
            println!("Token {id} for {} (shown only this once):", user.email);
            println!("{token}");
        }
    }
    Ok(())
}

async fn set_plugin(db: &Db, id: &str, enabled: bool, now: i64) -> anyhow::Result<()> {
    if !crate::plugins::runtime::set_enabled(db, id, enabled, now).await? {
        anyhow::bail!(
            "no plugin {id:?} is known to this database (it is registered when a host first loads it)"
        );
    }
    println!(
        "Plugin {id} is {}.",
        if enabled { "enabled" } else { "disabled" }
    );
    Ok(())
}

/// A user that is not deleted, by email: a deleted account stays deleted (not re-listed by
/// `disable`, never handed a token).
async fn find_user(db: &Db, email: &str) -> anyhow::Result<users::User> {
    users::find_credentials(db, &email.trim().to_lowercase())
        .await?
        .map(|(user, _)| user)
        .filter(|user| user.status != users::Status::Deleted)
        .with_context(|| format!("there is no user {email}"))
}
