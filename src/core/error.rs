//! The core's errors, one enum per kind of failure, so that callers can tell them apart
//! (the worker moves a run off a GPU whose reads fail; the page shows a refused file
//! beside its button). Each says what went wrong in words a person can act on.

use std::fmt;

/// The device could not give back what was computed on it.
#[derive(Clone, Debug, PartialEq)]
pub enum DeviceError {
    /// A read failed: on WebGPU, the device was lost or is failing.
    Read(String),
    /// The device answered with data of an unexpected type.
    Data(String),
}

/// A point cloud that cannot be learned from.
#[derive(Clone, Debug, PartialEq)]
pub enum DataError {
    /// Larger than a page can hold, or more rows than it can learn from quickly.
    TooLarge(String),
    /// A line or field that is not part of a point (the message names the line).
    Unreadable(String),
    /// Points that hold no manifold to learn: too few, one repeated point, a constant column.
    NotLearnable(String),
    /// The link learns from uploaded data that is not loaded here.
    NotLoaded(String),
    /// Values that are not points: not finite, or not rows of the dimension.
    Malformed(String),
}

/// A relations file that cannot be imported.
#[derive(Clone, Debug, PartialEq)]
pub enum FileError {
    TooLarge(String),
    Empty,
    /// Not JSON, or JSON that ends early.
    NotJson(String),
    /// JSON, but not a relations file of a version this build reads.
    NotRelations(String),
    /// A relations file whose contents cannot be used (weights, layers, frame).
    Invalid(String),
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceError::Read(why) => write!(f, "reading from the device failed: {why}"),
            DeviceError::Data(why) => write!(f, "unexpected tensor data: {why}"),
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::TooLarge(m) | DataError::Unreadable(m) | DataError::NotLearnable(m) | DataError::NotLoaded(m) | DataError::Malformed(m) => {
                f.write_str(m)
            }
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Empty => f.write_str("the file is empty"),
            FileError::TooLarge(m) | FileError::NotJson(m) | FileError::NotRelations(m) | FileError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DeviceError {}
impl std::error::Error for DataError {}
impl std::error::Error for FileError {}

/// Relations that cannot be imported into a run.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportError {
    /// The run has already trained: imported relations come first.
    NotFresh,
    /// The file keeps no relation.
    Nothing,
    /// The relations read another number of coordinates than the data has.
    Dimension {
        relations: usize,
        data: usize,
    },
    Device(DeviceError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NotFresh => f.write_str("relations can only be imported into a fresh run"),
            ImportError::Nothing => f.write_str("the file keeps no relation"),
            ImportError::Dimension { relations, data } => write!(f, "the relations take {relations} coordinates but the data has {data}"),
            ImportError::Device(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ImportError {}

impl From<DeviceError> for ImportError {
    fn from(e: DeviceError) -> Self {
        ImportError::Device(e)
    }
}
