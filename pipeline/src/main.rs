//! The `auditflow` binary: parse, dispatch to the command, map the error to the documented
//! exit code (0 ok, 1 a check found a problem or a run failed, 2 usage or configuration
//! error, 3 a dependency was unreachable). Everything else is in the library.

use auditflow_pipeline::commands::{self, Cli};
use auditflow_pipeline::connect::Unreachable;
use auditflow_pipeline::process;
use auditflow_pipeline::settings::ConfigError;
use clap::Parser;
use std::process::ExitCode;

// glibc malloc dominated profiles of the ingest path (many short-lived event buffers moved
// between threads); mimalloc handles that pattern far better.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn exit_code(error: &anyhow::Error) -> u8 {
    if error.downcast_ref::<ConfigError>().is_some() {
        2
    } else if error.downcast_ref::<Unreachable>().is_some() {
        3
    } else {
        1
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(commands::as_invoked(std::env::args_os()));
    if cli.command.only_reads() {
        // Before any other thread exists.
        sigpipe::reset();
    }
    process::init_logging(&cli.global.log_format);
    // Redis and the S3 client build their TLS from the process's provider: one, chosen here.
    let _ = rustls::crypto::ring::default_provider().install_default();
    process::disable_transparent_huge_pages();
    match commands::execute(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("auditflow: {error:#}");
            ExitCode::from(exit_code(&error))
        }
    }
}
