/**
 * brpc's `baidu_std` framing: a 12-byte header ("PRPC", body_size and meta_size as big-endian
 * uint32), then body_size bytes = an RpcMeta of meta_size bytes, the payload and an attachment.
 *
 * Contract: `PrpcFrameReader.push(chunk)` returns every complete frame so far (frames may span
 * chunks, and one chunk may hold several); it throws `PrpcFrameError` for a bad magic, a
 * meta_size larger than body_size, or a body over `maxBodyBytes`: the caller closes the
 * connection, since the stream can no longer be parsed. `encodePrpcFrame` is the inverse.
 */

export const PRPC_MAGIC = Buffer.from('PRPC', 'latin1');
export const PRPC_HEADER_BYTES = 12;

export interface PrpcFrame {
  readonly meta: Buffer;
  /** Payload and attachment, as sent (the meta's attachment_size splits them). */
  readonly body: Buffer;
}

export class PrpcFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrpcFrameError';
  }
}

export class PrpcFrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBodyBytes: number) {}

  push(chunk: Buffer): PrpcFrame[] {
    this.buffered = this.buffered.byteLength === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: PrpcFrame[] = [];
    for (;;) {
      const buf = this.buffered;
      if (buf.byteLength < PRPC_HEADER_BYTES) {
        if (!PRPC_MAGIC.subarray(0, Math.min(4, buf.byteLength)).equals(buf.subarray(0, Math.min(4, buf.byteLength)))) throw badMagic(buf);
        return frames;
      }
      if (!buf.subarray(0, 4).equals(PRPC_MAGIC)) throw badMagic(buf);
      const bodySize = buf.readUInt32BE(4);
      const metaSize = buf.readUInt32BE(8);
      if (bodySize > this.maxBodyBytes) throw new PrpcFrameError(`frame body of ${bodySize} bytes is over the ${this.maxBodyBytes}-byte limit`);
      if (metaSize > bodySize) throw new PrpcFrameError(`meta_size ${metaSize} is larger than body_size ${bodySize}`);
      const end = PRPC_HEADER_BYTES + bodySize;
      if (buf.byteLength < end) return frames;
      frames.push({
        meta: buf.subarray(PRPC_HEADER_BYTES, PRPC_HEADER_BYTES + metaSize),
        body: buf.subarray(PRPC_HEADER_BYTES + metaSize, end),
      });
      this.buffered = buf.subarray(end);
    }
  }
}

function badMagic(buf: Buffer): PrpcFrameError {
  return new PrpcFrameError(`frame does not start with "PRPC" (got 0x${buf.subarray(0, 4).toString('hex')})`);
}

export function encodePrpcFrame(meta: Uint8Array, payload: Uint8Array): Buffer {
  const header = Buffer.allocUnsafe(PRPC_HEADER_BYTES);
  PRPC_MAGIC.copy(header, 0);
  header.writeUInt32BE(meta.byteLength + payload.byteLength, 4);
  header.writeUInt32BE(meta.byteLength, 8);
  return Buffer.concat([header, meta, payload]);
}
