//! `musubi user …`: people, from the command line.

use std::io::BufRead;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use musubi_app::{ServiceError, Services, SystemClock};

use super::open_storage;
use crate::cli::{GlobalArgs, UserCommand};

pub async fn run(global: &GlobalArgs, cmd: UserCommand) -> Result<()> {
    match cmd {
        UserCommand::CreateAdmin { email, name } => {
            let password = match std::env::var("MUSUBI_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .context("reading the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let storage = open_storage(global, true).await?;
            let services = Services::new(
                storage,
                Arc::new(SystemClock),
                super::app_config(global, global.base_url.clone().unwrap_or_default()),
            );
            match services.create_admin(&email, &name, &password).await {
                Ok(id) => {
                    println!("created platform administrator {email} (user id {id})");
                    Ok(())
                }
                Err(ServiceError::Invalid(fields)) => {
                    let msgs: Vec<String> = fields
                        .0
                        .iter()
                        .map(|f| format!("{}: {}", f.field, f.message_en))
                        .collect();
                    Err(anyhow!(
                        "cannot create the administrator: {}",
                        msgs.join("; ")
                    ))
                }
                Err(e) => Err(anyhow!("cannot create the administrator: {e}")),
            }
        }
    }
}
