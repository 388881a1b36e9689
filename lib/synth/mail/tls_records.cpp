#include "synth/mail/tls_records.hpp"

#include <algorithm>
#include <vector>

#include "synth/payload_generator.hpp"

namespace postern::synth::mail {

namespace {

using Bytes = std::vector<uint8_t>;

void u8(Bytes &b, uint64_t v) { b.push_back(static_cast<uint8_t>(v)); }
void u16(Bytes &b, uint64_t v) {
    u8(b, v >> 8);
    u8(b, v);
}
void u24(Bytes &b, uint64_t v) {
    u8(b, v >> 16);
    u16(b, v & 0xFFFF);
}
void random_bytes(Bytes &b, size_t n, Rng &rng) {
    const size_t at = b.size();
    b.resize(at + n);
    rng.fill(b.data() + at, n);
}
// Patches the big-endian length field of `width` bytes at `at` with everything after it.
void patch_length(Bytes &b, size_t at, int width) {
    const size_t len = b.size() - at - static_cast<size_t>(width);
    for (int i = 0; i < width; ++i) b[at + static_cast<size_t>(i)] = static_cast<uint8_t>(len >> (8 * (width - 1 - i)));
}

// Where a hello's record and handshake-message length fields are, patched once it is complete.
struct HelloLengths {
    size_t record;
    size_t message;
};

// Both hellos open alike: a handshake record, the message header, legacy version TLS 1.2, the
// random and a 32-byte legacy session id.
HelloLengths begin_hello(Bytes &b, Rng &rng, uint64_t record_version, uint64_t message_type) {
    HelloLengths at{};
    u8(b, 0x16);
    u16(b, record_version);
    at.record = b.size();
    u16(b, 0);
    u8(b, message_type);
    at.message = b.size();
    u24(b, 0);
    u16(b, 0x0303);
    random_bytes(b, 32, rng);
    u8(b, 32);  // legacy session id
    random_bytes(b, 32, rng);
    return at;
}

// One x25519 key_share entry: the group and a random 32-byte public key.
void x25519_share(Bytes &b, Rng &rng) {
    u16(b, 0x001D);
    u16(b, 32);
    random_bytes(b, 32, rng);
}

// Fills in the extensions block's (at `ext`), the message's and the record's lengths.
void end_hello(Bytes &b, size_t ext, HelloLengths at) {
    patch_length(b, ext, 2);
    patch_length(b, at.message, 3);
    patch_length(b, at.record, 2);
}

void client_hello(Bytes &b, Rng &rng, std::string_view sni) {
    const HelloLengths at = begin_hello(b, rng, 0x0301, 0x01);  // legacy record version TLS 1.0; ClientHello
    static constexpr uint16_t kSuites[] = {0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8};
    u16(b, sizeof kSuites);
    for (uint16_t s : kSuites) u16(b, s);
    u8(b, 1);  // compression methods: null
    u8(b, 0);
    const size_t ext = b.size();
    u16(b, 0);
    // server_name
    u16(b, 0x0000);
    u16(b, sni.size() + 5);
    u16(b, sni.size() + 3);
    u8(b, 0);
    u16(b, sni.size());
    b.insert(b.end(), sni.begin(), sni.end());
    // supported_groups: x25519, secp256r1, secp384r1
    u16(b, 0x000A);
    u16(b, 8);
    u16(b, 6);
    for (uint64_t g : {0x001DU, 0x0017U, 0x0018U}) u16(b, g);
    // signature_algorithms
    u16(b, 0x000D);
    u16(b, 10);
    u16(b, 8);
    for (uint64_t a : {0x0403U, 0x0804U, 0x0401U, 0x0503U}) u16(b, a);
    // supported_versions: TLS 1.3, 1.2
    u16(b, 0x002B);
    u16(b, 5);
    u8(b, 4);
    u16(b, 0x0304);
    u16(b, 0x0303);
    // psk_key_exchange_modes: psk_dhe_ke
    u16(b, 0x002D);
    u16(b, 2);
    u8(b, 1);
    u8(b, 1);
    // key_share: x25519
    u16(b, 0x0033);
    u16(b, 38);
    u16(b, 36);
    x25519_share(b, rng);
    end_hello(b, ext, at);
}

void server_hello(Bytes &b, Rng &rng) {
    const HelloLengths at = begin_hello(b, rng, 0x0303, 0x02);  // ServerHello
    u16(b, 0x1301);  // TLS_AES_128_GCM_SHA256
    u8(b, 0);
    const size_t ext = b.size();
    u16(b, 0);
    u16(b, 0x002B);  // supported_versions: TLS 1.3
    u16(b, 2);
    u16(b, 0x0304);
    u16(b, 0x0033);  // key_share
    u16(b, 36);
    x25519_share(b, rng);
    end_hello(b, ext, at);
}

void change_cipher_spec(Bytes &b) {
    for (int x : {0x14, 0x03, 0x03, 0x00, 0x01, 0x01}) u8(b, static_cast<uint64_t>(x));
}

// Encrypted records (type 23) carrying `n` bytes in total, at most 16 KiB + 17 each.
void app_data(Bytes &b, uint64_t n, Rng &rng) {
    while (n > 0) {
        const uint64_t len = std::min<uint64_t>(n > 5 ? n - 5 : 1, 16401);
        u8(b, 0x17);
        u16(b, 0x0303);
        u16(b, len);
        random_bytes(b, len, rng);
        n = n > len + 5 ? n - len - 5 : 0;
    }
}

void add(Conversation &out, Side side, Bytes &&b) {
    Exchange e;
    e.from = side;
    e.data = std::move(b);
    out.exchanges.push_back(std::move(e));
}

}  // namespace

void append_tls_session(Conversation &out, Rng &rng, std::string_view server_name, uint64_t bytes) {
    Bytes c;
    client_hello(c, rng, server_name);
    const uint64_t hello = c.size();
    add(out, Side::Client, std::move(c));
    Bytes s;
    server_hello(s, rng);
    change_cipher_spec(s);
    // EncryptedExtensions, Certificate, CertificateVerify, Finished: one opaque flight.
    app_data(s, rng.between(1800, 4200), rng);
    const uint64_t flight = s.size();
    add(out, Side::Server, std::move(s));
    Bytes fin;
    change_cipher_spec(fin);
    app_data(fin, 58, rng);  // Finished
    const uint64_t used = hello + flight + fin.size();
    const uint64_t rest = bytes > used ? bytes - used : rng.between(200, 1200);
    // The mail protocol inside: alternating turns, the client's first one rides with its Finished.
    Side side = Side::Client;
    bool first = true;
    for (uint64_t n : split_into_turns(rest, std::min<uint64_t>(12, 2 + rest / 2000), rng)) {
        if (first) {
            app_data(fin, n, rng);
            add(out, Side::Client, std::move(fin));
            first = false;
        } else {
            Bytes t;
            app_data(t, n, rng);
            add(out, side, std::move(t));
        }
        side = other(side);
    }
    if (first) add(out, Side::Client, std::move(fin));
}

}  // namespace postern::synth::mail
