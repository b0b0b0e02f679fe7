//! `cit`: the command-line tool. A thin layer over `cit-core` (the model) and `cit-io` (files
//! and formats): parse arguments, run, print. Data goes to stdout; progress and errors to stderr.
//! Exit codes: 0 success, 1 the simulation failed, 2 bad input.

mod cli;
mod commands;
mod examples;

use clap::Parser;
use std::process::ExitCode;

/// An error with the exit code it deserves.
pub enum Failure {
    /// Bad input (file, key, value): exit 2.
    Input(String),
    /// The run itself failed: exit 1.
    Run(String),
}

/// Writes data to stdout. A closed pipe (`cit ... | head`) is not an error: the reader has what
/// it wanted, so the rest is dropped quietly.
pub fn emit(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Run(format!("cannot write to standard output: {e}"))),
    }
}

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let outcome = match cli.command {
        cli::Command::Simulate(args) => commands::simulate::run(args),
        cli::Command::Plan(args) => commands::plan::run(*args),
        cli::Command::Examples => commands::examples::run(),
        cli::Command::Parameters { format } => commands::parameters::run(format),
        cli::Command::Validate(args) => commands::validate::run(args),
        cli::Command::Calibrate(args) => commands::calibrate::run(args),
        cli::Command::Sensitivity(args) => commands::sensitivity::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Run(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}
