//! `deling serve`.

use crate::{config::Config, startup::Application};

/// Runs the server until it is told to stop.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    let addr = app.addr();
    let scheme = if config.federation.debug {
        "http"
    } else {
        "https"
    };
    // Printed, not logged: this is the line a newcomer looks for (and tests
    // read the port from it).
    say!("Deling is running: open http://{addr}/");
    say!(
        "  public address: {scheme}://{}/  (set with DELING_DOMAIN)",
        config.domain
    );
    say!(
        "  database:       {}",
        crate::config::redact(&config.database_url)
    );
    say!("  API:            http://{addr}/api/v1/  (OpenAPI at /api/v1/openapi.json)");
    if app.agency_count == 0 {
        say!("Next step, in another terminal: create an agency and its first admin:");
        say!("  deling admin agency create oslo --name \"Oslo kommune\"");
        say!(
            "  echo 'a long password' | deling admin user create kari --password-stdin --instance-admin"
        );
        say!("  deling admin token create kari");
    }
    say!("Stop with Ctrl-C.");
    app.run_until_stopped().await?;
    Ok(())
}
