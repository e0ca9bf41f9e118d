// WRONG: the slice's own chunks(): every block is checked on one thread

/// `checksum` of every block of `block_len` bytes of `data` (the last block may be
/// shorter), in block order, computed in parallel on the current pool.
///
/// # Panics
/// If `block_len` is 0.
pub fn block_checksums<F>(data: &[u8], block_len: usize, checksum: F) -> Vec<u16>
where
    F: Fn(&[u8]) -> u16 + Send + Sync,
{
    data.chunks(block_len).map(checksum).collect()
}

/// Fletcher's 16-bit checksum of a block.
pub fn fletcher16(block: &[u8]) -> u16 {
    let (mut low, mut high) = (0_u16, 0_u16);
    for &byte in block {
        low = (low + u16::from(byte)) % 255;
        high = (high + low) % 255;
    }
    (high << 8) | low
}

fn main() {
    let data: Vec<u8> = (0..10_000_u32).map(|n| (n * 31 % 251) as u8).collect();
    let checksums = block_checksums(&data, 4096, fletcher16);
    for (index, checksum) in checksums.iter().enumerate() {
        println!("block {index}: {checksum:#06x}");
    }
}
