/**
 * baidu_std framing: frames split over chunks, several per chunk, and the malformed cases that
 * must close a connection.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrpcFrameError, PrpcFrameReader, encodePrpcFrame } from '../../../src/paddle/brpc/prpc-frame';
import { sniffProtocol } from '../../../src/net/protocol-sniffer';

describe('PRPC frames', () => {
  it('writes the 12-byte header with big-endian sizes', () => {
    const frame = encodePrpcFrame(Buffer.from([1, 2, 3]), Buffer.from([4, 5]));
    assert.deepEqual([...frame], [0x50, 0x52, 0x50, 0x43, 0, 0, 0, 5, 0, 0, 0, 3, 1, 2, 3, 4, 5]);
  });

  it('reassembles frames split byte by byte and splits several in one chunk', () => {
    const a = encodePrpcFrame(Buffer.from('meta'), Buffer.from('payload'));
    const b = encodePrpcFrame(Buffer.from('m2'), Buffer.alloc(0));
    const reader = new PrpcFrameReader(1024);
    const frames = [...a].flatMap((byte) => reader.push(Buffer.from([byte])));
    assert.equal(frames.length, 1);
    assert.equal(frames[0].meta.toString(), 'meta');
    assert.equal(frames[0].body.toString(), 'payload');
    const both = new PrpcFrameReader(1024).push(Buffer.concat([a, b]));
    assert.deepEqual(both.map((f) => f.meta.toString()), ['meta', 'm2']);
  });

  it('hands out a refused frame as soon as its meta is in and discards its payload unbuffered, at every chunk size', () => {
    const frames = [encodePrpcFrame(Buffer.from('first'), Buffer.alloc(300, 1)), encodePrpcFrame(Buffer.from('2'), Buffer.alloc(0)), encodePrpcFrame(Buffer.from('third'), Buffer.alloc(70, 3))];
    const stream = Buffer.concat(frames);
    for (let size = 1; size <= stream.byteLength; size++) {
      let asked = 0;
      // Refuses the first frame only; asked once per frame.
      const reader = new PrpcFrameReader<string>(1024, () => (++asked === 1 ? 'busy' : undefined));
      const got: Array<{ meta: string; body: number; refused?: string; at: number }> = [];
      let maxBuffered = 0;
      for (let offset = 0; offset < stream.byteLength; offset += size) {
        for (const f of reader.push(stream.subarray(offset, offset + size))) got.push({ meta: f.meta.toString(), body: f.body.byteLength, refused: f.refused, at: offset });
        if (got.length === 0) maxBuffered = Math.max(maxBuffered, reader.partialFrameBytes);
      }
      assert.deepEqual(got.map((f) => [f.meta, f.body, f.refused]), [['first', 0, 'busy'], ['2', 0, undefined], ['third', 70, undefined]], `chunk size ${size}`);
      assert.equal(asked, 3, `chunk size ${size}: refuse is asked once per frame`);
      assert.ok(got[0].at < 12 + 5, `chunk size ${size}: the refused frame came out with the chunk that completed its meta, not after its payload`);
      assert.equal(reader.partialFrameBytes, 0, `chunk size ${size}: nothing left over`);
    }
  });

  it('counts the discarded bytes of a refused frame as a frame in progress until they are all in', () => {
    const reader = new PrpcFrameReader<string>(1 << 20, () => 'busy');
    const frame = encodePrpcFrame(Buffer.from('meta'), Buffer.alloc(100_000, 7));
    const [refused] = reader.push(frame.subarray(0, 1000));
    assert.equal(refused.refused, 'busy');
    assert.equal(reader.partialFrameBytes, 1000, 'the frame is still arriving (the frame timer keeps running)');
    assert.deepEqual(reader.push(frame.subarray(1000, 50_000)), []);
    assert.equal(reader.partialFrameBytes, 50_000);
    assert.deepEqual(reader.push(frame.subarray(50_000)), []);
    assert.equal(reader.partialFrameBytes, 0);
  });

  it('reassembles a stream of frames cut at every possible chunk size, frames and boundaries in any place', () => {
    const frames = [encodePrpcFrame(Buffer.from('first'), Buffer.alloc(300, 1)), encodePrpcFrame(Buffer.from('2'), Buffer.alloc(0)), encodePrpcFrame(Buffer.from('third'), Buffer.alloc(70, 3))];
    const stream = Buffer.concat(frames);
    for (let size = 1; size <= stream.byteLength; size++) {
      const reader = new PrpcFrameReader(1024);
      const got = [];
      for (let offset = 0; offset < stream.byteLength; offset += size) got.push(...reader.push(stream.subarray(offset, offset + size)));
      assert.deepEqual(got.map((f) => f.meta.toString()), ['first', '2', 'third'], `chunk size ${size}`);
      assert.deepEqual(got.map((f) => f.body.byteLength), [300, 0, 70], `chunk size ${size}`);
      assert.ok(got[2].body.every((byte) => byte === 3), `chunk size ${size}`);
    }
  });

  it('rejects a bad magic, meta_size > body_size and an oversized body', () => {
    assert.throws(() => new PrpcFrameReader(1024).push(Buffer.from('PRPX')), PrpcFrameError);
    const header = Buffer.alloc(12);
    header.write('PRPC');
    header.writeUInt32BE(2, 4);
    header.writeUInt32BE(3, 8);
    assert.throws(() => new PrpcFrameReader(1024).push(header), /meta_size 3 is larger than body_size 2/);
    header.writeUInt32BE(4096, 4);
    assert.throws(() => new PrpcFrameReader(1024).push(header), /4096 bytes is over the 1024-byte limit/);
  });
});

describe('protocol sniffing', () => {
  it('tells h2c, HTTP/1.1, PRPC and a TLS ClientHello apart by the first 4 bytes', () => {
    const sniff = (text: string) => sniffProtocol(Buffer.from(text, 'latin1'));
    assert.equal(sniff('PRI * HTTP/2.0\r\n'), 'h2c');
    assert.equal(sniff('PRPC\0\0'), 'prpc');
    assert.equal(sniff('POST /GeneralModelService/inference HTTP/1.1'), 'http1');
    assert.equal(sniff('GET / HTTP/1.1'), 'http1');
    assert.equal(sniff('PR'), 'need-more');
    assert.equal(sniff('SSH-2.0'), 'unknown');
    assert.equal(sniff('\x16\x03\x01\x02'), 'tls');
    assert.equal(sniff('\x16\x03'), 'need-more');
    assert.equal(sniff('\x16\x02\x01\x02'), 'unknown');
    assert.equal(sniff('\x16\x03\x09\x02'), 'unknown');
  });
});
