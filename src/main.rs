//! alpr-triage: parse arguments, run, map the outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use alpr_triage::cli::{self, Command};
use alpr_triage::commands::{self, EXIT_USAGE, Leftovers};

fn main() -> ExitCode {
    // What the command built, let go of without freeing: the process ends here.
    let mut leftovers = Leftovers::default();
    let code = match cli::parse(std::env::args_os()) {
        Err((message, code)) => {
            if code == 0 {
                let _ = write!(std::io::stdout(), "{message}");
            } else {
                let _ = write!(std::io::stderr(), "{message}");
            }
            code
        }
        Ok(command) => run(command, &mut leftovers),
    };
    leftovers.abandon();
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

fn run(command: Command, leftovers: &mut Leftovers) -> i32 {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr();
    let result = match command {
        Command::Scan(opts) => commands::scan::run(&opts, &mut out, leftovers),
        Command::Flag(opts) => commands::flag::run(&opts, &mut out, &mut err, leftovers),
        Command::Export(opts) => commands::export::run(&opts, &mut out, &mut err, leftovers),
        Command::Merge(opts) => commands::merge::run(&opts, &mut out),
        Command::Rules { rules, source } => {
            if source {
                let _ = out.write_all(alpr_triage::flag::BUILTIN_RULES.as_bytes());
                Ok(0)
            } else {
                commands::load_rules(rules.as_deref())
                    .map(|r| {
                        let _ = out.write_all(r.describe().as_bytes());
                        0
                    })
                    .map_err(Into::into)
            }
        }
        Command::Review(opts) => {
            drop(out);
            return match alpr_triage::runtime::run(&opts) {
                Ok(code) => code,
                Err(e) => {
                    let _ = writeln!(err, "alpr-triage: {e}");
                    EXIT_USAGE
                }
            };
        }
        Command::Help(text) => {
            let _ = write!(out, "{text}");
            Ok(0)
        }
    };
    let _ = out.flush();
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "alpr-triage: {e}");
            if e.exit_code() != 0 {
                e.exit_code()
            } else {
                EXIT_USAGE
            }
        }
    }
}
