#include "proto/detect/tls_client_hello.hpp"

namespace postern::proto {

namespace {

class Reader {
public:
    Reader(const uint8_t *p, size_t n) : p_(p), n_(n) {}
    bool skip(size_t k) {
        if (k > n_) return fail();
        p_ += k, n_ -= k;
        return true;
    }
    bool u8(uint32_t &v) {
        if (n_ < 1) return fail();
        v = p_[0];
        return skip(1);
    }
    bool u16(uint32_t &v) {
        if (n_ < 2) return fail();
        v = uint32_t{p_[0]} << 8 | p_[1];
        return skip(2);
    }
    bool u24(uint32_t &v) {
        if (n_ < 3) return fail();
        v = uint32_t{p_[0]} << 16 | uint32_t{p_[1]} << 8 | p_[2];
        return skip(3);
    }
    Reader sub(size_t k) {
        Reader r(p_, k <= n_ ? k : n_);
        if (k > n_) r.short_ = true;
        skip(k);
        return r;
    }
    const uint8_t *data() const { return p_; }
    size_t size() const { return n_; }
    bool short_read() const { return short_; }

private:
    bool fail() {
        short_ = true;
        return false;
    }
    const uint8_t *p_;
    size_t n_;
    bool short_ = false;
};

bool find_sni(Reader ext, std::string_view &sni) {
    while (ext.size() >= 4) {
        uint32_t type = 0, len = 0;
        ext.u16(type), ext.u16(len);
        Reader body = ext.sub(len);
        if (type != 0) continue;  // server_name
        uint32_t list_len = 0, name_type = 0, name_len = 0;
        if (!body.u16(list_len) || !body.u8(name_type) || !body.u16(name_len)) return false;
        if (name_type != 0 || name_len > body.size()) return false;
        sni = {reinterpret_cast<const char *>(body.data()), name_len};
        return true;
    }
    return false;
}

}  // namespace

TlsProbe probe_tls(const uint8_t *data, size_t len, std::string_view &sni) {
    sni = {};
    // Record header: handshake(22), version 3.x, length.
    if (len >= 1 && data[0] != 0x16) return TlsProbe::NotTls;
    if (len >= 2 && data[1] != 0x03) return TlsProbe::NotTls;
    if (len >= 3 && data[2] > 0x04) return TlsProbe::NotTls;
    if (len < 6) return TlsProbe::NeedMore;
    const uint32_t record_len = uint32_t{data[3]} << 8 | data[4];
    if (record_len == 0 || record_len > 16384 + 2048) return TlsProbe::NotTls;
    if (data[5] == 0x02) return TlsProbe::ServerHello;
    if (data[5] != 0x01) return TlsProbe::NotTls;
    if (len < 5 + size_t{record_len}) return TlsProbe::NeedMore;

    Reader rec(data + 5, record_len);
    uint32_t type = 0, hs_len = 0;
    rec.u8(type), rec.u24(hs_len);
    Reader hello = rec.sub(hs_len);  // may be cut when the hello spans records: read what is here
    uint32_t session_len = 0, suites_len = 0, comp_len = 0, ext_len = 0;
    if (!hello.skip(2 + 32) || !hello.u8(session_len) || !hello.skip(session_len) || !hello.u16(suites_len) ||
        !hello.skip(suites_len) || !hello.u8(comp_len) || !hello.skip(comp_len))
        return TlsProbe::ClientHello;
    if (!hello.u16(ext_len)) return TlsProbe::ClientHello;
    find_sni(hello.sub(ext_len), sni);
    return TlsProbe::ClientHello;
}

}  // namespace postern::proto
