// Watches the decoded bytes of a part for an image's end marker: PNG's IEND chunk (type and CRC)
// and JPEG's EOI (FF D9), and counts what follows the last one. Bytes appended after the end of
// an image are invisible to viewers: a classic place to hide data (steganography, droppers).
#pragma once

#include <cstddef>
#include <cstdint>

namespace postern::proto {

class ImageTail {
public:
    void reset() { *this = ImageTail{}; }
    void feed(const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; ++i) byte(p[i]);
    }
    bool marker_seen() const { return seen_; }
    uint64_t after_marker() const { return after_; }

private:
    enum class Kind : uint8_t { Undecided, Png, Jpeg, Other };
    static constexpr uint64_t kIend = 0x49454E44AE426082ull;  // "IEND" + its CRC

    void byte(uint8_t b) {
        window_ = window_ << 8 | b;
        if (kind_ == Kind::Other) return;
        ++count_;
        if (kind_ == Kind::Undecided) {
            if (count_ == 3 && (window_ & 0xFFFFFF) == 0xFFD8FF) kind_ = Kind::Jpeg;
            else if (count_ == 8 && window_ == 0x89504E470D0A1A0Aull) kind_ = Kind::Png;
            else if (count_ >= 8) kind_ = Kind::Other;
            return;
        }
        if ((kind_ == Kind::Png && window_ == kIend) || (kind_ == Kind::Jpeg && (window_ & 0xFFFF) == 0xFFD9)) {
            seen_ = true;
            after_ = 0;
        } else if (seen_) {
            ++after_;
        }
    }

    uint64_t window_ = 0;
    uint64_t count_ = 0;
    uint64_t after_ = 0;
    Kind kind_ = Kind::Undecided;
    bool seen_ = false;
};

}  // namespace postern::proto
