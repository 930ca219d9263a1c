//! `musubi demo generate` and the demo seeding of `serve --demo`.

use anyhow::{Result, bail};
use musubi_app::Services;

use crate::cli::{DemoCommand, GlobalArgs};

pub async fn run(_global: &GlobalArgs, _cmd: DemoCommand) -> Result<()> {
    bail!("demo generation is being wired in")
}

pub async fn seed_if_empty(_services: &Services) -> Result<()> {
    Ok(())
}
