use std::error::Error;
use std::io;

use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncWriteExt, duplex};
use tokio_util::bytes::{Buf, BufMut, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder, Framed, FramedRead};

// ANCHOR: decoder
/// Frames of at most `max` bytes, each sent as a 4-byte big-endian length
/// and then that many bytes.
struct LengthPrefixed {
    max: usize,
}

const HEADER: usize = 4;

impl Decoder for LengthPrefixed {
    type Item = Bytes;
    type Error = io::Error;

    /// Called with everything received so far. Returns a frame if a whole
    /// one is there, `None` to ask for more bytes.
    fn decode(&mut self, buffer: &mut BytesMut) -> io::Result<Option<Bytes>> {
        let Some(header) = buffer.get(..HEADER) else {
            return Ok(None); // not even the length yet
        };
        let length = u32::from_be_bytes(header.try_into().expect("4 bytes")) as usize;
        // Refuse before buffering: the peer's length is only a claim.
        if length > self.max {
            return Err(too_long(length, self.max));
        }
        if buffer.len() < HEADER + length {
            // Half a frame: make room for the rest, and wait for it.
            buffer.reserve(HEADER + length - buffer.len());
            return Ok(None);
        }
        buffer.advance(HEADER);
        Ok(Some(buffer.split_to(length).freeze()))
    }
}
// ANCHOR_END: decoder

// ANCHOR: encoder
impl Encoder<Bytes> for LengthPrefixed {
    type Error = io::Error;

    fn encode(&mut self, frame: Bytes, buffer: &mut BytesMut) -> io::Result<()> {
        if frame.len() > self.max {
            return Err(too_long(frame.len(), self.max));
        }
        // A usize may be larger than the header can say: refuse, never cut.
        let length = u32::try_from(frame.len()).map_err(|_| too_long(frame.len(), self.max))?;
        buffer.reserve(HEADER + frame.len());
        buffer.put_u32(length);
        buffer.extend_from_slice(&frame);
        Ok(())
    }
}

fn too_long(length: usize, max: usize) -> io::Error {
    let message = format!("a frame of {length} bytes is over the limit of {max}");
    io::Error::new(io::ErrorKind::InvalidData, message)
}
// ANCHOR_END: encoder

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    // Two ends of an in-memory pipe stand for a client and a server.
    let (client, server) = duplex(64);
    let mut client = Framed::new(client, LengthPrefixed { max: 100 });
    let mut server = FramedRead::new(server, LengthPrefixed { max: 100 });

    client.send(Bytes::from("hello")).await?;
    // The client's own encoder refuses a frame over the limit.
    let refused = client.send(Bytes::from(vec![b'x'; 200])).await;
    println!("client: a 200-byte frame: {}", refused.unwrap_err());
    client.send(Bytes::from("still here")).await?;
    // A hostile client skips the codec and claims a frame of u32::MAX bytes.
    let mut raw = client.into_inner();
    raw.write_all(&u32::MAX.to_be_bytes()).await?;
    drop(raw);

    while let Some(frame) = server.next().await {
        match frame {
            Ok(frame) => println!("server: got {:?}", String::from_utf8_lossy(&frame)),
            Err(error) => {
                println!("server: dropped the connection: {error}");
                break;
            }
        }
    }
    Ok(())
}
// ANCHOR_END: main

// ANCHOR: tests
#[cfg(test)]
mod tests {
    use super::*;

    fn codec() -> LengthPrefixed {
        LengthPrefixed { max: 100 }
    }

    #[test]
    fn a_frame_that_arrives_in_pieces_comes_out_whole() {
        let mut buffer = BytesMut::new();
        let mut codec = codec();
        for piece in [&[0, 0][..], &[0, 5], b"he", b"llo"] {
            assert_eq!(codec.decode(&mut buffer).unwrap(), None);
            buffer.extend_from_slice(piece);
        }
        assert_eq!(
            codec.decode(&mut buffer).unwrap(),
            Some(Bytes::from("hello"))
        );
        assert!(buffer.is_empty());
    }

    #[test]
    fn two_frames_in_one_read_come_out_one_by_one() {
        let mut buffer = BytesMut::from(&b"\0\0\0\x02hi\0\0\0\0"[..]);
        let mut codec = codec();
        assert_eq!(codec.decode(&mut buffer).unwrap(), Some(Bytes::from("hi")));
        assert_eq!(codec.decode(&mut buffer).unwrap(), Some(Bytes::new()));
        assert_eq!(codec.decode(&mut buffer).unwrap(), None);
    }

    #[test]
    fn an_oversized_length_is_refused_before_its_bytes_arrive() {
        let mut buffer = BytesMut::from(&101u32.to_be_bytes()[..]);
        let error = codec().decode(&mut buffer).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(buffer.capacity() < 101, "it made room for the frame");
    }

    #[test]
    fn a_frame_cut_off_by_the_end_of_the_stream_is_an_error() {
        let mut buffer = BytesMut::from(&b"\0\0\0\x05hel"[..]);
        assert!(codec().decode_eof(&mut buffer).is_err());
    }

    #[test]
    fn what_the_encoder_writes_the_decoder_reads() {
        let mut buffer = BytesMut::new();
        let frame = Bytes::from(vec![7; 100]);
        codec().encode(frame.clone(), &mut buffer).unwrap();
        assert_eq!(codec().decode(&mut buffer).unwrap(), Some(frame));
        let too_big = Bytes::from(vec![7; 101]);
        assert!(codec().encode(too_big, &mut buffer).is_err());
    }
}
// ANCHOR_END: tests
