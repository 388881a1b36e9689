// Watches the decoded bytes of a part for an image's end marker: PNG's IEND chunk (type and CRC)
// and JPEG's EOI (FF D9), and counts what follows the last one. Bytes appended after the end of
// an image are invisible to viewers: a classic place to hide data (steganography, droppers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace postern::proto {

class ImageTail {
public:
    void reset() { *this = ImageTail{}; }
    void feed(const uint8_t *p, size_t n) {
        size_t i = 0;
        while (i < n && kind_ == Kind::Undecided) decide(p[i++]);  // the first bytes tell the kind
        if (kind_ != Kind::Other && i < n) scan(p + i, n - i);
    }
    bool watching() const { return kind_ != Kind::Other; }  // undecided yet, or an image
    bool marker_seen() const { return seen_; }
    uint64_t after_marker() const { return after_; }

private:
    enum class Kind : uint8_t { Undecided, Png, Jpeg, Other };
    static constexpr uint64_t kIend = 0x49454E44AE426082ull;  // "IEND" + its CRC

    void decide(uint8_t b) {
        window_ = window_ << 8 | b;
        ++count_;
        if (count_ == 3 && (window_ & 0xFFFFFF) == 0xFFD8FF) kind_ = Kind::Jpeg;
        else if (count_ == 8 && window_ == 0x89504E470D0A1A0Aull) kind_ = Kind::Png;
        else if (count_ >= 8) kind_ = Kind::Other;
    }

    // After the kind is known: where the last end marker of the piece is, found from its last
    // byte (0x82 of IEND's CRC, or JPEG's 0xD9) rather than by walking every byte.
    void scan(const uint8_t *p, size_t n) {
        const uint8_t last = kind_ == Kind::Png ? 0x82 : 0xD9;
        for (size_t end = n; end > 0;) {
            const void *hit = memrchr(p, last, end);
            if (hit == nullptr) break;
            const size_t j = static_cast<size_t>(static_cast<const uint8_t *>(hit) - p);
            if (marker_at(window_ending_at(p, j))) {
                seen_ = true;
                after_ = n - 1 - j;
                window_ = window_ending_at(p, n - 1);
                return;
            }
            end = j;
        }
        if (seen_) after_ += n;
        window_ = window_ending_at(p, n - 1);
    }

    // The 8 bytes up to and including p[j], the ones before p[0] from the window.
    uint64_t window_ending_at(const uint8_t *p, size_t j) const {
        uint64_t w = window_;
        for (size_t k = j >= 7 ? j - 7 : 0; k <= j; ++k) w = w << 8 | p[k];
        return w;
    }

    bool marker_at(uint64_t window) const {
        return kind_ == Kind::Png ? window == kIend : (window & 0xFFFF) == 0xFFD9;
    }

    uint64_t window_ = 0;
    uint64_t count_ = 0;
    uint64_t after_ = 0;
    Kind kind_ = Kind::Undecided;
    bool seen_ = false;
};

}  // namespace postern::proto
