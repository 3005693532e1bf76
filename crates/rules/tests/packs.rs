//! The built-in packs load.

use nianshen_rules::{load, Calendar};

#[test]
fn builtin_packs_load() {
    let miit = load("cn-miit", None, &toml::Table::new()).unwrap();
    assert_eq!(miit.schedule.calendar, Calendar::Regulation);
    let wp = load("whitepaper", None, &toml::Table::new()).unwrap();
    assert_eq!(wp.schedule.calendar, Calendar::Whitepaper);
    assert_eq!(wp.catalogue, miit.catalogue);
}
