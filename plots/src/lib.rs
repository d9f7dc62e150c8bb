//! plots: charts from result data.
