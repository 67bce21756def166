//! What a workload prints, also kept in machine-readable form for `publica bench --json FILE`.
//!
//! Workloads print their report with [`out!`](crate::bench::report::out): Markdown tables of `| measurement | value |`
//! rows, with a line of prose before each table. Every table row is also recorded, with the number its value
//! starts with and the rest as its unit, so that the JSON document of a run ([`Report`]) can be compared with
//! another version's, row by row, without parsing Markdown.

use std::sync::Mutex;

use anyhow::{Context, Result};
use serde::Serialize;

/// The rows printed so far by this process, with the prose line that came last before each.
static ROWS: Mutex<Rows> = Mutex::new(Rows { section: String::new(), rows: Vec::new() });

struct Rows {
    section: String,
    rows: Vec<Row>,
}

/// One table row of a report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// The last line of prose printed before the row's table (empty if none).
    pub section: String,
    /// The row's first cell: what was measured.
    pub measurement: String,
    /// The rest of the row, as printed.
    pub value: String,
    /// The first number of `value` (thousands separators removed), if it has one.
    pub number: Option<f64>,
    /// What follows that number in `value` (`/s`, `ms`, `bytes`, …).
    pub unit: String,
}

/// The JSON document of one `publica bench` run.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Always `publica-bench/1`: the shape of this document.
    pub format: &'static str,
    /// The version of the `publica` that ran.
    pub version: &'static str,
    /// The workload, as named on the command line.
    pub workload: String,
    /// The command line's arguments.
    pub arguments: Vec<String>,
    /// Seconds since the Unix epoch when the report was written.
    pub finished_unix_secs: u64,
    /// The machine it ran on.
    pub machine: Machine,
    /// Every table row printed, in order.
    pub rows: Vec<Row>,
}

/// The machine a report was measured on.
#[derive(Debug, Serialize)]
pub struct Machine {
    /// Logical cores available to this process.
    pub cores: usize,
    /// The processor's model name (Linux: /proc/cpuinfo), if known.
    pub cpu: Option<String>,
    /// Physical memory in bytes (Linux: /proc/meminfo), if known.
    pub memory_bytes: Option<u64>,
    /// Operating system and architecture.
    pub os: String,
}

/// Print a line of the report (as `println!` does) and record it if it is a table row.
macro_rules! out {
    () => {
        $crate::bench::report::line(String::new())
    };
    ($($arg:tt)*) => {
        $crate::bench::report::line(format!($($arg)*))
    };
}
pub(crate) use out;

/// Print `text` and record it (see [`out!`]).
pub fn line(text: String) {
    println!("{text}");
    record(&text);
}

fn record(text: &str) {
    let mut rows = ROWS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match parse_row(line) {
            Some((measurement, value)) => {
                // The header row and the separator row of a table are not measurements.
                if measurement == "measurement" || measurement.chars().all(|c| c == '-' || c == ':') {
                    continue;
                }
                let (number, unit) = leading_number(&value);
                let section = rows.section.clone();
                rows.rows.push(Row { section, measurement, value, number, unit });
            }
            None => rows.section = line.to_owned(),
        }
    }
}

/// `| a | b | c |` → (`a`, `b | c`).
fn parse_row(line: &str) -> Option<(String, String)> {
    let inner = line.strip_prefix('|')?.strip_suffix('|')?;
    let (first, rest) = inner.split_once('|').unwrap_or((inner, ""));
    Some((first.trim().to_owned(), rest.trim().to_owned()))
}

/// The number a value starts with (after markup such as `**`), and what follows it.
fn leading_number(value: &str) -> (Option<f64>, String) {
    let trimmed = value.trim_start_matches(['*', '~', '≈', ' ']);
    let end =
        trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',' || c == '-')).unwrap_or(trimmed.len());
    let digits: String = trimmed[..end].chars().filter(|c| *c != ',').collect();
    match digits.parse::<f64>() {
        Ok(number) if digits.chars().any(|c| c.is_ascii_digit()) => {
            (Some(number), trimmed[end..].trim().trim_matches('*').trim().to_owned())
        }
        _ => (None, String::new()),
    }
}

/// The rows recorded so far.
pub fn rows() -> Vec<Row> {
    ROWS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).rows.clone()
}

/// Write the JSON document of this run to `path`.
pub fn write_json(path: &std::path::Path, workload: &str) -> Result<()> {
    let report = Report {
        format: "publica-bench/1",
        version: env!("CARGO_PKG_VERSION"),
        workload: workload.to_owned(),
        arguments: std::env::args().skip(1).collect(),
        finished_unix_secs: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        machine: machine(),
        rows: rows(),
    };
    let json = serde_json::to_vec_pretty(&report)?;
    std::fs::write(path, json).with_context(|| format!("cannot write the JSON report to {}", path.display()))
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_bytes = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<u64>().ok())
        .map(|kib| kib * 1024);
    Machine {
        cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        cpu,
        memory_bytes,
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_split_into_measurement_number_and_unit() {
        assert_eq!(
            parse_row("| raw verifications/s | 24,066 /s |"),
            Some(("raw verifications/s".into(), "24,066 /s".into()))
        );
        assert_eq!(leading_number("24,066 /s"), (Some(24066.0), "/s".into()));
        assert_eq!(leading_number("**0.26**"), (Some(0.26), "".into()));
        assert_eq!(leading_number("157.4 ms"), (Some(157.4), "ms".into()));
        assert_eq!(leading_number("3,441 bytes (grows by 3,393)"), (Some(3441.0), "bytes (grows by 3,393)".into()));
        assert_eq!(leading_number(""), (None, "".into()));
        assert_eq!(leading_number("yes"), (None, "".into()));
        assert_eq!(parse_row("no table here"), None);
    }

    #[test]
    fn table_rows_are_recorded_with_their_section_and_headers_are_not() {
        let before = rows().len();
        record("Throughput, one validator");
        record("| measurement | value |");
        record("|---|---|");
        record("| committed tx/s | 6,231 /s |");
        let new: Vec<Row> = rows().into_iter().skip(before).collect();
        let row = new.iter().find(|r| r.measurement == "committed tx/s").expect("the row was recorded");
        assert_eq!(row.section, "Throughput, one validator");
        assert_eq!((row.number, row.unit.as_str()), (Some(6231.0), "/s"));
        assert!(new.iter().all(|r| r.measurement != "measurement" && !r.measurement.starts_with("---")));
    }
}
