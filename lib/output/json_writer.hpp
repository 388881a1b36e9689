// A JSON writer into a caller-owned fixed buffer: no allocation, so workers can render EVE
// records on the hot path. On overflow it stops writing and reports it; the caller counts it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace postern::output {

class JsonWriter {
public:
    JsonWriter(char *buf, size_t cap) : buf_(buf), cap_(cap) {}

    void begin_object();
    void end_object();
    void begin_array();
    void end_array();
    void key(std::string_view k);  // next value belongs to this key
    void string(std::string_view v);  // escaped; bytes that are not valid UTF-8 become \u00XX
    void number(uint64_t v);
    void number(int64_t v);
    void number(double v);
    void boolean(bool v);
    void null();
    void raw(std::string_view json);  // an already-rendered JSON value

    // Shorthands for key + value.
    void field(std::string_view k, std::string_view v) { key(k), string(v); }
    void field(std::string_view k, const char *v) { key(k), string(v); }
    void field(std::string_view k, uint64_t v) { key(k), number(v); }
    void field(std::string_view k, uint32_t v) { key(k), number(uint64_t{v}); }
    void field(std::string_view k, int64_t v) { key(k), number(v); }
    void field(std::string_view k, int v) { key(k), number(int64_t{v}); }
    void field(std::string_view k, double v) { key(k), number(v); }
    void field(std::string_view k, bool v) { key(k), boolean(v); }

    bool overflowed() const { return overflow_; }
    size_t size() const { return len_; }
    std::string_view view() const { return {buf_, len_}; }
    void reset() { len_ = 0, depth_ = 0, overflow_ = false, after_key_ = false; }

private:
    // Inline, these three: a record calls them for every key and value.
    void separator() {  // comma between siblings
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (depth_ > 0) {
            if (!first_[depth_]) put(',');
            first_[depth_] = false;
        }
    }
    void open(char bracket);  // an object or array begins: its members need commas
    void close(char bracket);
    void write_string(std::string_view v);
    void put(char c) {
        if (len_ < cap_) buf_[len_++] = c;
        else overflow_ = true;
    }
    void put(std::string_view s) {
        if (s.size() > cap_ - len_) {
            overflow_ = true;
            return;
        }
        if (!s.empty()) std::memcpy(buf_ + len_, s.data(), s.size());  // an empty view may be null
        len_ += s.size();
    }

    static constexpr int kMaxDepth = 32;
    char *buf_;
    size_t cap_;
    size_t len_ = 0;
    int depth_ = 0;
    bool first_[kMaxDepth + 1] = {true};
    bool after_key_ = false;
    bool overflow_ = false;
};

// Writes into an inline array; handy in tests and for small records.
template <size_t N>
class FixedJsonWriter : public JsonWriter {
public:
    FixedJsonWriter() : JsonWriter(storage_, N) {}

private:
    char storage_[N];
};

}  // namespace postern::output
