//! The `fsx-guard` binary: parse arguments, install the diagnostic hook, run, map the outcome to
//! an exit code (0 compliant, 1 failures, 2 could not start, 3 undetermined).

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = fsx_guard::cli::Cli::parse();
    fsx_guard::PROCESS_EXITS_AFTER_RUN.store(true, std::sync::atomic::Ordering::Relaxed);
    let color = fsx_guard::report::stderr_color();
    miette::set_hook(Box::new(move |_| {
        Box::new(miette::MietteHandlerOpts::new().color(color).unicode(color).terminal_links(false).build())
    }))
    .ok();
    match fsx_guard::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(error) => {
            eprintln!("{:?}", miette::Report::new(error));
            ExitCode::from(2)
        }
    }
}
