/**
 * brpc's `baidu_std` framing: a 12-byte header ("PRPC", body_size and meta_size as big-endian
 * uint32), then body_size bytes = an RpcMeta of meta_size bytes, the payload and an attachment.
 *
 * Contract: `PrpcFrameReader.push(chunk)` returns every complete frame so far (frames may span
 * chunks, and one chunk may hold several); it throws `PrpcFrameError` for a bad magic, a
 * meta_size larger than body_size, or a body over `maxBodyBytes`: the caller closes the
 * connection, since the stream can no longer be parsed. Receiving is linear in the frame size
 * however the bytes are split (chunks are kept and copied once). `encodePrpcFrame` is the inverse.
 * With `refuse` set, it is asked once a frame's header and meta are in: a reason it returns is
 * handed out at once as that frame's `refused` (with its meta and an empty body), and the rest of
 * the frame's body is discarded as it arrives, never buffered.
 */

const PRPC_MAGIC = Buffer.from('PRPC', 'latin1');
const PRPC_HEADER_BYTES = 12;
const EMPTY_BODY = Buffer.alloc(0);

export interface PrpcFrame<R = never> {
  readonly meta: Buffer;
  /** Payload and attachment, as sent (the meta's attachment_size splits them); empty when refused. */
  readonly body: Buffer;
  /** Set when `refuse` refused the frame before its payload was read. */
  readonly refused?: R;
}

export class PrpcFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrpcFrameError';
  }
}

export class PrpcFrameReader<R = never> {
  /** Received bytes not yet returned as frames, in arrival order; concatenated once per frame. */
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** The header of the frame being received, once its 12 bytes are in. */
  private pending: { readonly bodySize: number; readonly metaSize: number; asked: boolean } | undefined;
  /** Bytes of a refused frame still to discard, and those discarded so far. */
  private skipping = 0;
  private skipped = 0;

  constructor(private readonly maxBodyBytes: number, private readonly refuse?: () => R | undefined) {}

  /** Bytes of a frame started but not complete yet (0 between frames), a refused frame's discarded bytes included. */
  get partialFrameBytes(): number {
    return this.bufferedBytes + (this.skipping > 0 ? this.skipped : 0);
  }

  /** Linear in the bytes received: each byte is copied at most once, when its frame is complete. */
  push(chunk: Buffer): Array<PrpcFrame<R>> {
    if (this.skipping > 0 && chunk.byteLength > 0) {
      const discarded = Math.min(this.skipping, chunk.byteLength);
      this.skipping -= discarded;
      this.skipped += discarded;
      chunk = chunk.subarray(discarded);
    }
    if (chunk.byteLength > 0) {
      this.chunks.push(chunk);
      this.bufferedBytes += chunk.byteLength;
    }
    const frames: Array<PrpcFrame<R>> = [];
    for (;;) {
      if (this.pending === undefined) {
        if (this.bufferedBytes < PRPC_HEADER_BYTES) {
          const head = this.peek(Math.min(4, this.bufferedBytes));
          if (!PRPC_MAGIC.subarray(0, head.byteLength).equals(head)) throw badMagic(head);
          return frames;
        }
        const header = this.peek(PRPC_HEADER_BYTES);
        if (!header.subarray(0, 4).equals(PRPC_MAGIC)) throw badMagic(header);
        const bodySize = header.readUInt32BE(4);
        const metaSize = header.readUInt32BE(8);
        if (bodySize > this.maxBodyBytes) throw new PrpcFrameError(`frame body of ${bodySize} bytes is over the ${this.maxBodyBytes}-byte limit`);
        if (metaSize > bodySize) throw new PrpcFrameError(`meta_size ${metaSize} is larger than body_size ${bodySize}`);
        this.pending = { bodySize, metaSize, asked: false };
      }
      const { bodySize, metaSize } = this.pending;
      const end = PRPC_HEADER_BYTES + bodySize;
      if (this.refuse !== undefined && !this.pending.asked && this.bufferedBytes >= PRPC_HEADER_BYTES + metaSize) {
        this.pending.asked = true;
        const refused = this.refuse();
        if (refused !== undefined) {
          const meta = this.peek(PRPC_HEADER_BYTES + metaSize).subarray(PRPC_HEADER_BYTES);
          frames.push({ meta, body: EMPTY_BODY, refused });
          const have = Math.min(this.bufferedBytes, end);
          this.take(have);
          this.skipped = have;
          this.skipping = end - have;
          this.pending = undefined;
          if (this.skipping > 0) return frames;
          continue;
        }
      }
      if (this.bufferedBytes < end) return frames;
      const frame = this.take(end);
      this.pending = undefined;
      frames.push({
        meta: frame.subarray(PRPC_HEADER_BYTES, PRPC_HEADER_BYTES + metaSize),
        body: frame.subarray(PRPC_HEADER_BYTES + metaSize, end),
      });
    }
  }

  /** The first `bytes` buffered bytes, without consuming them (copies only when they span chunks). */
  private peek(bytes: number): Buffer {
    const first = this.chunks[0];
    if (first === undefined) return Buffer.alloc(0);
    if (first.byteLength >= bytes) return first.subarray(0, bytes);
    const parts: Buffer[] = [];
    let have = 0;
    for (const chunk of this.chunks) {
      if (have >= bytes) break;
      parts.push(chunk);
      have += chunk.byteLength;
    }
    return Buffer.concat(parts, have).subarray(0, bytes);
  }

  /** Removes and returns the first `bytes` buffered bytes (`bytes` <= bufferedBytes). */
  private take(bytes: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.byteLength >= bytes) {
      out = first.subarray(0, bytes);
      if (first.byteLength === bytes) this.chunks.shift();
      else this.chunks[0] = first.subarray(bytes);
    } else {
      out = Buffer.allocUnsafe(bytes);
      let copied = 0;
      let used = 0;
      while (copied < bytes) {
        const chunk = this.chunks[used];
        const n = Math.min(chunk.byteLength, bytes - copied);
        chunk.copy(out, copied, 0, n);
        copied += n;
        if (n === chunk.byteLength) used++;
        else this.chunks[used] = chunk.subarray(n);
      }
      this.chunks.splice(0, used);
    }
    this.bufferedBytes -= bytes;
    return out;
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
