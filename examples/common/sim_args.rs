//! The command line of the standalone one-request simulations
//! (`bunched_sim`, `frees_sim`): `LAMBDA T C S [HOURS] [CV]`.

/// The arrival rate `LAMBDA` (requests/s), keep-alive `T`, mean boot `C`
/// and service `S` (seconds), the simulated hours (`default_hours` when
/// not given) and the boot's CV (0.5, as on the grid, when not given),
/// from the command line of the example `name`; a usage line and exit
/// status 2 when fewer than four numbers are given.
pub fn fleet_args(name: &str, default_hours: f64) -> (f64, f64, f64, f64, f64, f64) {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: LAMBDA T C S [HOURS] [CV]"))
        .collect();
    if args.len() < 4 {
        eprintln!("usage: {name} LAMBDA T C S [HOURS] [CV]");
        std::process::exit(2);
    }
    let hours = args.get(4).copied().unwrap_or(default_hours);
    let cv = args.get(5).copied().unwrap_or(0.5);
    (args[0], args[1], args[2], args[3], hours, cv)
}
