pub mod finding;
