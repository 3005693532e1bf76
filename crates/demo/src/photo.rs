//! Workstation photos: small real JPEGs, each a different scene (wall,
//! desk, monitor, chair, a numbered placard and uneven light) so that
//! perceptual hashes tell them apart, with an EXIF block giving the day the
//! site inventory took them.

use chrono::NaiveDateTime;
use jpeg_encoder::{ColorType, Encoder};

use crate::rng::Rng;

pub const WIDTH: usize = 320;
pub const HEIGHT: usize = 240;
const QUALITY: u8 = 72;

/// 5×7 bitmaps of the digits, one row per byte, bit 4 leftmost.
const DIGITS: [[u8; 7]; 10] = [
    [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
    [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
    [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
    [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
    [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
    [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
    [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
];

/// An RGB raster.
#[derive(Clone, Debug)]
pub struct Raster {
    pub pixels: Vec<u8>,
}

impl Raster {
    fn new(color: [u8; 3]) -> Raster {
        Raster {
            pixels: color.repeat(WIDTH * HEIGHT),
        }
    }

    fn fill(&mut self, x0: usize, y0: usize, w: usize, h: usize, color: [u8; 3]) {
        for y in y0..(y0 + h).min(HEIGHT) {
            for x in x0..(x0 + w).min(WIDTH) {
                let i = (y * WIDTH + x) * 3;
                if let Some(px) = self.pixels.get_mut(i..i + 3) {
                    px.copy_from_slice(&color);
                }
            }
        }
    }

    /// Brightens or darkens a 4×4 grid of zones, like light from windows
    /// and lamps; this is what makes the photos' hashes differ.
    fn light(&mut self, rng: &mut Rng) {
        let zones: Vec<i32> = (0..16).map(|_| rng.range(-70, 70) as i32).collect();
        for y in 0..HEIGHT {
            for x in 0..WIDTH {
                let zone = (y * 4 / HEIGHT) * 4 + x * 4 / WIDTH;
                let delta = zones.get(zone).copied().unwrap_or(0);
                let i = (y * WIDTH + x) * 3;
                for px in self.pixels.iter_mut().skip(i).take(3) {
                    *px = (i32::from(*px) + delta).clamp(0, 255) as u8;
                }
            }
        }
    }

    /// Grayscale value at (x, y), for hashing in tests.
    #[cfg(test)]
    pub fn luma(&self, x: usize, y: usize) -> f64 {
        let i = (y * WIDTH + x) * 3;
        match self.pixels.get(i..i + 3) {
            Some(&[r, g, b]) => 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b),
            _ => 0.0,
        }
    }
}

/// Draws the scene of workstation `number`.
pub fn scene(seed: u64, number: usize) -> Raster {
    let mut rng = Rng::new(seed, 100 + number as u64);
    let wall = [
        rng.range(170, 235) as u8,
        rng.range(170, 235) as u8,
        rng.range(160, 225) as u8,
    ];
    let mut img = Raster::new(wall);
    let desk_y = rng.range(120, 170) as usize;
    let desk = [
        rng.range(90, 160) as u8,
        rng.range(70, 120) as u8,
        rng.range(40, 90) as u8,
    ];
    img.fill(0, desk_y, WIDTH, HEIGHT - desk_y, desk);
    let mon_w = rng.range(80, 130) as usize;
    let mon_h = rng.range(55, 80) as usize;
    let mon_x = rng.range(10, (WIDTH - mon_w - 10) as i64) as usize;
    img.fill(
        mon_x,
        desk_y.saturating_sub(mon_h + 12),
        mon_w,
        mon_h,
        [28, 30, 36],
    );
    img.fill(mon_x + mon_w / 2 - 4, desk_y - 12, 8, 12, [60, 60, 60]);
    let chair_x = rng.range(20, 240) as usize;
    img.fill(chair_x, desk_y + 25, 60, HEIGHT, [35, 35, 45]);
    placard(&mut img, &mut rng, number);
    img.light(&mut rng);
    img
}

/// Draws a white card with the two-digit workstation number.
fn placard(img: &mut Raster, rng: &mut Rng, number: usize) {
    let scale = 4;
    let x0 = rng.range(200, 250) as usize;
    let y0 = rng.range(15, 50) as usize;
    img.fill(
        x0 - 6,
        y0 - 6,
        2 * 6 * scale + 12,
        7 * scale + 12,
        [250, 250, 245],
    );
    let text = format!("{:02}", number % 100);
    for (k, d) in text.bytes().enumerate() {
        let Some(bitmap) = DIGITS.get(usize::from(d - b'0')) else {
            continue;
        };
        for (row, bits) in bitmap.iter().enumerate() {
            for col in 0..5 {
                if bits & (0x10 >> col) != 0 {
                    let x = x0 + k * 6 * scale + col * scale;
                    img.fill(x, y0 + row * scale, scale, scale, [20, 20, 20]);
                }
            }
        }
    }
}

/// Encodes the JPEG file of workstation `number`, taken at `taken`.
pub fn jpeg(seed: u64, number: usize, taken: NaiveDateTime) -> Result<Vec<u8>, String> {
    let img = scene(seed, number);
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, QUALITY);
    enc.add_exif_metadata(&exif(taken))
        .map_err(|e| e.to_string())?;
    enc.encode(&img.pixels, WIDTH as u16, HEIGHT as u16, ColorType::Rgb)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// A little-endian TIFF block with Make, Model, DateTime and an Exif IFD
/// holding DateTimeOriginal and DateTimeDigitized.
fn exif(taken: NaiveDateTime) -> Vec<u8> {
    let stamp = format!("{}\0", taken.format("%Y:%m:%d %H:%M:%S"));
    let make = b"NIANSHEN\0";
    let model = b"DEMO CAMERA\0";
    // Layout: header (8) | IFD0: 2 + 4·12 + 4 = 54 | Exif IFD: 2 + 2·12 + 4 = 30 | data.
    let ifd0 = 8u32;
    let exif_ifd = ifd0 + 54;
    let data = exif_ifd + 30;
    let make_at = data;
    let model_at = make_at + make.len() as u32;
    let stamp_at = model_at + model.len() as u32;

    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&ifd0.to_le_bytes());
    t.extend_from_slice(&4u16.to_le_bytes());
    entry(&mut t, 0x010F, 2, make.len() as u32, make_at);
    entry(&mut t, 0x0110, 2, model.len() as u32, model_at);
    entry(&mut t, 0x0132, 2, stamp.len() as u32, stamp_at);
    entry(&mut t, 0x8769, 4, 1, exif_ifd);
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut t, 0x9003, 2, stamp.len() as u32, stamp_at);
    entry(&mut t, 0x9004, 2, stamp.len() as u32, stamp_at);
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(make);
    t.extend_from_slice(model);
    t.extend_from_slice(stamp.as_bytes());
    t
}

/// One 12-byte IFD entry: tag, type (2 ASCII, 4 LONG), count, value/offset.
fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
    out.extend_from_slice(&tag.to_le_bytes());
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A difference hash: 9×8 block means, one bit per horizontal step.
    fn dhash(img: &Raster) -> u64 {
        let mean = |bx: usize, by: usize| {
            let (w, h) = (WIDTH / 9, HEIGHT / 8);
            let mut sum = 0.0;
            for y in by * h..(by + 1) * h {
                for x in bx * w..(bx + 1) * w {
                    sum += img.luma(x, y);
                }
            }
            sum
        };
        let mut bits = 0u64;
        for y in 0..8 {
            for x in 0..8 {
                bits = (bits << 1) | u64::from(mean(x, y) < mean(x + 1, y));
            }
        }
        bits
    }

    #[test]
    fn scenes_have_clearly_different_hashes() {
        let hashes: Vec<u64> = (1..=40).map(|n| dhash(&scene(2024, n))).collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert!((a ^ b).count_ones() >= 8, "{a:016x} {b:016x}");
            }
        }
    }

    #[test]
    fn jpeg_carries_the_exif_date() {
        let taken = chrono::NaiveDate::from_ymd_opt(2025, 1, 8)
            .unwrap()
            .and_hms_opt(10, 15, 0)
            .unwrap();
        let bytes = jpeg(1, 3, taken).unwrap();
        assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
        let pos = bytes.windows(6).position(|w| w == b"Exif\0\0").unwrap();
        let tail = String::from_utf8_lossy(&bytes[pos..pos + 200]);
        assert!(tail.contains("2025:01:08 10:15:00"));
        assert!(bytes.len() < 40_000, "{}", bytes.len());
    }
}
