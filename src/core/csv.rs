//! Reading a person's point cloud from CSV text. Every rejection names the line and
//! field, and nothing partial is ever returned: a file is taken whole or not at all.

use super::config::limits;
use super::error::DataError;
use super::points::PointCloud;
use super::upload::UploadLabel;

/// Largest file read (bytes): bigger than any allowed cloud (50 000 rows × 16 columns).
pub const MAX_BYTES: usize = 16 << 20;
/// Coordinates per point.
pub const DIMS: (usize, usize) = (2, 16);

/// A parsed file: column names (from a header row, or x1..xN) and the points.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub cloud: PointCloud,
}

impl Table {
    /// How a link names this data, read from a file at `path`.
    pub fn label(&self, path: &str) -> UploadLabel {
        UploadLabel::new(path, &self.cloud)
    }
}

/// Parses a point cloud to learn from: [`read_points`], then refuses data that has no
/// manifold to learn (one point, too few distinct points, a column that does not vary).
pub fn parse_points(text: &str) -> Result<Table, DataError> {
    let table = read_points(text)?;
    check_learnable(&table.columns, &table.cloud)?;
    Ok(table)
}

/// Reads comma-, semicolon-, tab- or space-separated numbers, one point per line.
/// Blank lines and lines starting with '#' are skipped; a first line of names is a header.
pub fn read_points(text: &str) -> Result<Table, DataError> {
    if text.len() > MAX_BYTES {
        return Err(DataError::TooLarge(format!("the file is {:.1} MB; the limit is {} MB", text.len() as f64 / (1 << 20) as f64, MAX_BYTES >> 20)));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty() && !l.starts_with('#')).peekable();
    let Some(&(_, first)) = lines.peek() else {
        return Err(DataError::Unreadable("the file has no rows of numbers".into()));
    };
    let split = Separator::of(first);
    let first_fields: Vec<&str> = split.fields(first).collect();
    let header = first_fields.iter().all(|f| parse_number(f).is_none());
    let columns: Vec<String> = if header {
        lines.next();
        first_fields.iter().map(|f| unquote(f).to_string()).collect()
    } else {
        (1..=first_fields.len()).map(|j| format!("x{j}")).collect()
    };
    let dim = columns.len();
    if dim < DIMS.0 || dim > DIMS.1 {
        return Err(DataError::Unreadable(format!(
            "line {}: {dim} columns; a point needs {} to {} coordinates",
            lines.peek().map_or(1, |l| l.0),
            DIMS.0,
            DIMS.1
        )));
    }
    let max_rows = limits::SAMPLES.1;
    let mut values = Vec::new();
    let mut rows = 0;
    for (line, text) in lines {
        let fields: Vec<&str> = split.fields(text).collect();
        if fields.len() != dim {
            return Err(DataError::Unreadable(format!("line {line}: {} fields, expected {dim}", fields.len())));
        }
        for (j, field) in fields.iter().enumerate() {
            match parse_number(field) {
                Some(v) if v.is_finite() => values.push(v),
                Some(_) => return Err(DataError::Unreadable(format!("line {line}, field {}: '{}' is not a finite number", j + 1, clip(field)))),
                None => return Err(DataError::Unreadable(format!("line {line}, field {}: '{}' is not a number", j + 1, clip(field)))),
            }
        }
        rows += 1;
        if rows > max_rows {
            return Err(DataError::TooLarge(format!("more than {max_rows} rows; the limit keeps a browser tab responsive")));
        }
    }
    if rows < limits::SAMPLES.0 {
        return Err(DataError::NotLearnable(format!("{rows} rows of numbers; at least {} are needed to learn from", limits::SAMPLES.0)));
    }
    let cloud = PointCloud::new(dim, values)?;
    Ok(Table { columns, cloud })
}

/// A column may vary by no less than this share of the widest column's range: below it, a
/// difference is at the edge of what float32 training resolves.
const MIN_RELATIVE_SPREAD: f64 = 1e-4;

/// Refuses data with no manifold to learn, saying what the data is instead: one point
/// (dimension 0), too few distinct points, or a column that does not vary.
fn check_learnable(columns: &[String], cloud: &PointCloud) -> Result<(), DataError> {
    let mut distinct: Vec<&[f32]> = (0..cloud.len()).map(|i| cloud.row(i)).collect();
    distinct.sort_by(|a, b| a.iter().zip(*b).map(|(x, y)| x.total_cmp(y)).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal));
    distinct.dedup();
    let point = |row: &[f32]| row.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ");
    if distinct.len() == 1 {
        return Err(DataError::NotLearnable(format!(
            "all {} rows are the same point ({}): a single point has dimension 0, so there is no manifold to learn",
            cloud.len(),
            point(distinct[0])
        )));
    }
    if distinct.len() < limits::SAMPLES.0 {
        return Err(DataError::NotLearnable(format!(
            "only {} distinct points among {} rows (the others repeat them): at least {} distinct points are needed to learn from",
            distinct.len(),
            cloud.len(),
            limits::SAMPLES.0
        )));
    }
    let spreads: Vec<(f32, f32)> = cloud.bounds();
    let widest = spreads.iter().map(|(lo, hi)| (hi - lo) as f64).fold(0.0, f64::max);
    for (name, (lo, hi)) in columns.iter().zip(&spreads) {
        let spread = (hi - lo) as f64;
        if spread == 0.0 {
            return Err(DataError::NotLearnable(format!(
                "column '{name}' is constant (every value is {lo}): it is itself a relation, {name} = {lo}, and carries nothing else; remove it and learn from the other columns"
            )));
        }
        if spread < MIN_RELATIVE_SPREAD * widest {
            return Err(DataError::NotLearnable(format!(
                "column '{name}' varies by only {spread:.1e} while the widest column spans {widest:.3}: too little for float32 training to resolve; remove it (it is nearly the relation {name} = {lo}) or rescale it"
            )));
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Separator {
    Char(char),
    Whitespace,
}

impl Separator {
    fn of(line: &str) -> Self {
        [',', ';', '\t'].into_iter().find(|&c| line.contains(c)).map_or(Separator::Whitespace, Separator::Char)
    }

    fn fields<'a>(self, line: &'a str) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        match self {
            Separator::Char(c) => Box::new(line.split(c).map(str::trim)),
            Separator::Whitespace => Box::new(line.split_whitespace()),
        }
    }
}

fn unquote(field: &str) -> &str {
    field.trim().trim_matches('"').trim()
}

/// A number as f32; `None` when it is not one. Values beyond f32 become infinite.
fn parse_number(field: &str) -> Option<f32> {
    let f = unquote(field);
    if f.is_empty() {
        return None;
    }
    f.parse::<f64>().ok().map(|v| v as f32)
}

/// At most 24 characters of a field, for messages.
fn clip(field: &str) -> String {
    let f = unquote(field);
    if f.chars().count() > 24 { format!("{}…", f.chars().take(24).collect::<String>()) } else { f.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize, dim: usize, sep: &str) -> String {
        (0..n).map(|i| (0..dim).map(|j| format!("{}.5", i * dim + j)).collect::<Vec<_>>().join(sep) + "\n").collect()
    }

    #[test]
    fn reads_headers_separators_comments_and_round_trips_to_csv() {
        let text = format!("# made by hand\n\"a\",\"b\",\"c\"\n\n{}", rows(40, 3, ", "));
        let t = parse_points(&text).unwrap();
        assert_eq!(t.columns, ["a", "b", "c"]);
        assert_eq!((t.cloud.len(), t.cloud.dim()), (40, 3));
        assert_eq!(t.cloud.row(1), [3.5, 4.5, 5.5]);
        for sep in [";", "\t", "  "] {
            assert_eq!(parse_points(&rows(40, 3, sep)).unwrap().cloud, t.cloud, "separator {sep:?}");
        }
        assert_eq!(parse_points(&t.cloud.to_csv()).unwrap().cloud, t.cloud);
    }

    #[test]
    fn labels_go_through_a_link_and_tell_data_apart() {
        let a = parse_points(&rows(40, 3, ",")).unwrap();
        let b = parse_points(&rows(41, 3, ",")).unwrap();
        let label = a.label("C:\\data/my points (v2).csv");
        let (config, notes) = crate::core::config::Config::from_query(&format!("data={label}"));
        assert_eq!((config.upload, notes.len()), (Some(label), 0));
        assert_ne!(a.label("x.csv"), b.label("x.csv"));
        assert_eq!(a.label("x.csv"), parse_points(&a.cloud.to_csv()).unwrap().label("x.csv"));
    }

    #[test]
    fn every_bad_file_is_refused_with_its_line_and_field() {
        let good = rows(40, 3, ",");
        let cases = [
            (String::new(), "no rows"),
            (format!("{good}1,2\n"), "line 41: 2 fields, expected 3"),
            (format!("{good}1,x,3\n"), "line 41, field 2: 'x' is not a number"),
            (format!("{good}1,2,NaN\n"), "line 41, field 3: 'NaN' is not a finite number"),
            (format!("{good}1,2,1e39\n"), "line 41, field 3: '1e39' is not a finite number"),
            (format!("{good}1,,3\n"), "line 41, field 2: '' is not a number"),
            (rows(40, 1, ","), "1 columns"),
            (rows(40, 17, ","), "17 columns"),
            (rows(5, 3, ","), "5 rows"),
            (rows(50_001, 2, ","), "more than 50000 rows"),
            ("x".repeat(MAX_BYTES + 1), "limit is 16 MB"),
            // Data with no manifold to learn.
            ("1,2\n".repeat(500), "all 500 rows are the same point (1, 2): a single point has dimension 0"),
            (rows(8, 3, ",").repeat(10), "only 8 distinct points among 80 rows"),
            ((0..40).map(|i| format!("{i},7,{}\n", i * i)).collect(), "column 'x2' is constant (every value is 7)"),
            ((0..40).map(|i| format!("{i},{},1\n", 1.0 + 1e-6 * (i % 2) as f64)).collect(), "column 'x2' varies by only"),
        ];
        for (text, needle) in cases {
            let err = parse_points(&text).unwrap_err().to_string();
            assert!(err.contains(needle), "expected '{needle}', got '{err}'");
        }
        // Callers tell the kinds apart: a line at fault, data too large, nothing to learn.
        assert!(matches!(parse_points("1,2\nx,3\n"), Err(DataError::Unreadable(_))));
        assert!(matches!(parse_points(&"x".repeat(MAX_BYTES + 1)), Err(DataError::TooLarge(_))));
        assert!(matches!(parse_points(&"1,2\n".repeat(500)), Err(DataError::NotLearnable(_))));
    }
}
