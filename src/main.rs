//! The `csvault` binary: the command line, or the terminal app when no command is given.

fn main() -> std::process::ExitCode {
    csvault::app::main()
}
