//! Demo cases.

mod calls;
mod carrier;
mod complaints;
mod figures;
mod ids;
mod pdf;
mod photo;
mod rng;
mod world;
