//! `musubi`: one binary, several commands. This file only wires the
//! command line to the commands; each command lives in `commands/`.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Benchmarks print their own report; request logs would drown it.
    let quiet = matches!(cli.command, cli::Command::Bench(_)) && cli.global.log == cli::DEFAULT_LOG;
    commands::init_tracing(if quiet { "warn" } else { &cli.global.log });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("musubi: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, naming the problem; the causes are joined with ": ".
            eprintln!("musubi: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
