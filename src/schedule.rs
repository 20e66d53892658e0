//! AWS Backup schedule expressions (`cron(...)`, `rate(...)`): the longest time between two
//! runs, which bounds how old the newest recovery point can be.
//!
//! Cron follows the EventBridge form AWS Backup uses: six fields, `Minutes Hours Day-of-month
//! Month Day-of-week Year`, UTC, one of the two day fields `?`; `*`, lists, ranges, steps and
//! month and weekday names are understood. `L`, `W` and `#` (last day, nearest weekday, n-th
//! weekday) and a fixed year are refused rather than guessed.

use time::{Date, Duration, Month};

/// The longest gap between two consecutive runs, in hours.
pub fn max_interval_hours(expression: &str) -> Result<f64, String> {
    let text = expression.trim();
    if let Some(inner) = text.strip_prefix("rate(").and_then(|t| t.strip_suffix(')')) {
        return rate(inner).ok_or_else(|| format!("`{expression}` is not a rate expression (`rate(12 hours)`)"));
    }
    if let Some(inner) = text.strip_prefix("cron(").and_then(|t| t.strip_suffix(')')) {
        return cron(inner).map_err(|why| format!("schedule `{expression}`: {why}"));
    }
    Err(format!("`{expression}` is neither `cron(...)` nor `rate(...)`"))
}

fn rate(inner: &str) -> Option<f64> {
    let mut words = inner.split_whitespace();
    let value: u32 = words.next()?.parse().ok()?;
    let unit = words.next()?;
    if words.next().is_some() || value == 0 {
        return None;
    }
    let hours = match unit {
        "minute" | "minutes" => f64::from(value) / 60.0,
        "hour" | "hours" => f64::from(value),
        "day" | "days" => f64::from(value) * 24.0,
        _ => return None,
    };
    Some(hours)
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// The values a cron field allows, within `min..=max`; `None` for `?`.
fn field(text: &str, min: u32, max: u32, names: &[&str]) -> Result<Option<Vec<bool>>, String> {
    if text == "?" {
        return Ok(None);
    }
    let size = usize::try_from(max + 1).map_err(|e| e.to_string())?;
    let mut allowed = vec![false; size];
    let value = |t: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(t)) {
            return u32::try_from(i).map(|i| i + min).map_err(|e| e.to_string());
        }
        match t.parse::<u32>() {
            Ok(v) if (min..=max).contains(&v) => Ok(v),
            _ => Err(format!("`{t}` is not a value from {min} to {max}")),
        }
    };
    for part in text.split(',') {
        if part.contains(['L', 'W', '#']) && !names.iter().any(|n| part.contains(n)) {
            return Err(format!("`{part}` (L, W or #) is not supported"));
        }
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => {
                (range, step.parse::<u32>().ok().filter(|s| *s > 0).ok_or_else(|| format!("bad step in `{part}`"))?)
            }
            None => (part, 1),
        };
        let (from, to) = match range {
            "*" => (min, max),
            _ => match range.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                None if step > 1 => (value(range)?, max),
                None => {
                    let v = value(range)?;
                    (v, v)
                }
            },
        };
        if from > to {
            return Err(format!("`{range}` runs backwards"));
        }
        let mut v = from;
        while v <= to {
            if let Some(slot) = usize::try_from(v).ok().and_then(|i| allowed.get_mut(i)) {
                *slot = true;
            }
            v += step;
        }
    }
    Ok(Some(allowed))
}

fn is(set: &[bool], value: u32) -> bool {
    usize::try_from(value).ok().and_then(|i| set.get(i)).copied().unwrap_or(false)
}

fn cron(inner: &str) -> Result<f64, String> {
    let fields: Vec<&str> = inner.split_whitespace().collect();
    let [minutes, hours, dom, month, dow, year] = fields.as_slice() else {
        return Err("a cron expression has six fields: minutes hours day-of-month month day-of-week year".into());
    };
    if *year != "*" {
        return Err("a schedule limited to some years is not supported".into());
    }
    let minutes = field(minutes, 0, 59, &[])?.ok_or("minutes cannot be `?`")?;
    let hours = field(hours, 0, 23, &[])?.ok_or("hours cannot be `?`")?;
    let months = field(month, 1, 12, &MONTHS)?.ok_or("month cannot be `?`")?;
    let dom = field(dom, 1, 31, &[])?;
    let dow = field(dow, 1, 7, &DAYS)?;
    if dom.is_some() == dow.is_some() {
        return Err("one of day-of-month and day-of-week must be `?`".into());
    }
    // Every run over a little more than a year (so that the gap across a year's end counts).
    let start = Date::from_calendar_date(2027, Month::January, 1).map_err(|e| e.to_string())?;
    let mut runs: Vec<i64> = Vec::new();
    for day in 0..(366 + 62) {
        let date = start + Duration::days(day);
        let month_ok = is(&months, u32::from(u8::from(date.month())));
        let day_ok = match (&dom, &dow) {
            (Some(dom), _) => is(dom, u32::from(date.day())),
            (_, Some(dow)) => is(dow, u32::from(date.weekday().number_from_sunday())),
            _ => false,
        };
        if !(month_ok && day_ok) {
            continue;
        }
        for hour in 0..24u32 {
            if !is(&hours, hour) {
                continue;
            }
            for minute in 0..60u32 {
                if is(&minutes, minute) {
                    runs.push(day * 1440 + i64::from(hour * 60 + minute));
                }
            }
        }
    }
    let gap = runs.windows(2).filter_map(|w| Some(w.get(1)? - w.first()?)).max();
    match gap {
        #[expect(clippy::cast_precision_loss, reason = "gaps are at most a few hundred thousand minutes")]
        Some(gap) if runs.len() > 2 => Ok(gap as f64 / 60.0),
        _ => Err("it runs less than twice a year".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rstest::rstest]
    #[case("cron(0 5 ? * * *)", 24.0)]
    #[case("cron(0 5,17 ? * * *)", 12.0)]
    #[case("cron(0 */6 ? * * *)", 6.0)]
    #[case("cron(30 1 ? * MON-FRI *)", 72.0)]
    #[case("cron(0 3 ? * SUN *)", 168.0)]
    #[case("cron(0 5 1 * ? *)", 31.0 * 24.0)]
    #[case("cron(15 0/12 * * ? *)", 12.0)]
    #[case("rate(12 hours)", 12.0)]
    #[case("rate(1 day)", 24.0)]
    fn worst_gaps(#[case] expression: &str, #[case] hours: f64) {
        assert_eq!(max_interval_hours(expression), Ok(hours), "{expression}");
    }

    #[rstest::rstest]
    #[case("cron(0 5 L * ? *)")]
    #[case("cron(0 5 ? * 2#1 *)")]
    #[case("cron(0 5 * * * *)")]
    #[case("cron(0 5 ? * * 2027)")]
    #[case("cron(0 25 ? * * *)")]
    #[case("cron(0 5 ? *)")]
    #[case("rate(0 hours)")]
    #[case("rate(2 weeks)")]
    #[case("at(2027-01-01T00:00:00)")]
    fn refused(#[case] expression: &str) {
        assert!(max_interval_hours(expression).is_err(), "{expression}");
    }
}
