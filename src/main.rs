//! alpr-triage: parse arguments, run, map the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use alpr_triage::cli::{self, Command};
use alpr_triage::commands::{self, Console, EXIT_USAGE};
use alpr_triage::sanitize::{TerminalWriter, visible};

fn main() -> ExitCode {
    let code = match cli::parse(std::env::args_os()) {
        Err((message, code)) => {
            if code == 0 {
                let _ = write!(std::io::stdout(), "{message}");
            } else {
                let _ = write!(std::io::stderr(), "{}", visible_text(&message));
            }
            code
        }
        Ok(command) => run(command),
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Text for the terminal, keeping its lines.
fn visible_text(s: &str) -> std::borrow::Cow<'_, str> {
    alpr_triage::sanitize::visible_block(s)
}

fn run(command: Command) -> i32 {
    if let Command::Review(opts) = &command {
        return match alpr_triage::tui::run(opts) {
            Ok(code) => code,
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "alpr-triage: {}",
                    visible_text(&e.to_string())
                );
                EXIT_USAGE
            }
        };
    }
    // A signal stops the command; what it was writing is removed first.
    commands::remove_temps_on_signals();
    let stdout = std::io::stdout();
    let out_is_terminal = stdout.is_terminal();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = TerminalWriter::new(std::io::stderr());
    let mut console = Console {
        out: &mut out,
        out_is_terminal,
        err: &mut err,
    };
    let result = match command {
        Command::Scan(opts) => commands::scan::run(&opts, &mut console),
        Command::Flag(opts) => commands::flag::run(&opts, &mut console),
        Command::Export(opts) => commands::export::run(&opts, &mut console),
        Command::Merge(opts) => commands::merge::run(&opts, &mut console),
        Command::Report(opts) => commands::report::run(&opts, &mut console),
        Command::Agencies(opts) => commands::agencies::run(&opts, &mut console),
        Command::Masks(opts) => commands::masks::run(&opts, &mut console),
        Command::Sharing(opts) => commands::agencies::run_sharing(&opts, &mut console),
        Command::Rules {
            agencies: true,
            agency_rules,
            source,
            ..
        } => {
            if source {
                console
                    .machine(|w| {
                        w.write_all(alpr_triage::agency::rules::BUILTIN_AGENCY_RULES.as_bytes())
                    })
                    .map(|()| 0)
            } else {
                match agency_rules.as_deref() {
                    None => Ok(alpr_triage::agency::AgencyRules::builtin()),
                    Some(p) => alpr_triage::agency::AgencyRules::load(p)
                        .map_err(|e| commands::CommandError::Agencies(e.to_string())),
                }
                .and_then(|r| console.human(|w| w.write_all(r.describe().as_bytes())))
                .map(|()| 0)
            }
        }
        Command::Rules { rules, source, .. } => {
            if source {
                console
                    .machine(|w| w.write_all(alpr_triage::flag::BUILTIN_RULES.as_bytes()))
                    .map(|()| 0)
            } else {
                commands::load_rules(rules.as_deref())
                    .map_err(Into::into)
                    .and_then(|r| console.human(|w| w.write_all(r.describe().as_bytes())))
                    .map(|()| 0)
            }
        }
        Command::Help(text) => console.human(|w| w.write_all(text.as_bytes())).map(|()| 0),
        Command::Review(_) => Ok(0),
    };
    let _ = out.flush();
    match result {
        Ok(code) => code,
        Err(commands::CommandError::ReaderGone) => 0,
        Err(e) => {
            let _ = writeln!(err, "alpr-triage: {}", visible(&e.to_string()));
            e.exit_code()
        }
    }
}
