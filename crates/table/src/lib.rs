//! Reading tabular files as users have them.
