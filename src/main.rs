//! The `vordering` command line. Installs telemetry and hands over to `cli::run`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
