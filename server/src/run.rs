//! What each subcommand does, in terms of the library's parts.

use crate::config::Config;
use crate::db::{self, DbError};
use crate::demo::{self, DemoError};
use crate::web;
use sqlx::AnyPool;

/// Why a subcommand failed; the message is printed for the operator.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Demo(#[from] DemoError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Build(#[from] web::BuildError),
    #[error("the server stopped: {0}")]
    Serve(#[source] std::io::Error),
}

async fn open(config: &Config) -> Result<AnyPool, RunError> {
    let pool = db::connect(&config.database_url).await?;
    db::migrate(&pool).await?;
    Ok(pool)
}

/// `glasshouse migrate`.
pub async fn migrate(config: &Config) -> Result<(), RunError> {
    open(config).await?;
    println!("migrations applied");
    Ok(())
}

/// `glasshouse demo [--if-empty]`.
pub async fn demo(config: &Config, if_empty: bool) -> Result<(), RunError> {
    let pool = open(config).await?;
    let city = demo::parse(demo::CITY_TOML)?;
    match demo::load(&pool, &city).await {
        Ok(loaded) => {
            println!(
                "demo city loaded: {} agencies, {} systems, {} purposes",
                loaded.agencies, loaded.systems, loaded.purposes
            );
            Ok(())
        }
        Err(DemoError::NotEmpty) if if_empty => {
            println!("the database already holds data; left as it is");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// `glasshouse serve`: migrate, then serve until Ctrl-C.
pub async fn serve(config: &Config) -> Result<(), RunError> {
    let pool = open(config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| RunError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(RunError::Serve)?;
    let router = web::router(web::state(config, pool, addr).await?);
    println!("Glasshouse is ready at http://{addr}");
    tracing::info!(%addr, "serving");
    tokio::select! {
        served = web::serve(listener, router) => served.map_err(RunError::Serve),
        () = shutdown_signal() => Ok(()),
    }
}

async fn shutdown_signal() {
    // If the signal handler cannot be installed the server simply runs until killed.
    let _ = tokio::signal::ctrl_c().await;
}
