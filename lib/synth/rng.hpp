// Seeded pseudo-random numbers for the synthesizer. Everything here is defined bit for bit
// (xoshiro256** seeded by splitmix64, integer-only helpers) because <random>'s distributions
// differ between standard libraries and the same seed must give the same capture everywhere.
#pragma once

#include <cstddef>
#include <cstdint>

namespace postern::synth {

inline uint64_t splitmix64(uint64_t &state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

class Rng {
public:
    explicit Rng(uint64_t seed = 0) { reseed(seed); }

    // Independent stream `stream` of `seed`: sessions get their own so that one session's content
    // does not depend on how many numbers earlier sessions drew.
    static Rng derive(uint64_t seed, uint64_t stream) {
        uint64_t s = seed ^ (stream * 0xD1342543DE82EF95ULL);
        return Rng(splitmix64(s) ^ stream);
    }

    void reseed(uint64_t seed) {
        uint64_t sm = seed;
        for (auto &w : s_) w = splitmix64(sm);
    }

    uint64_t next() {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform in [0, n); n == 0 returns 0. Rejection keeps it unbiased.
    uint64_t below(uint64_t n) {
        if (n == 0) return 0;
        const uint64_t threshold = (0 - n) % n;
        for (;;) {
            const uint64_t x = next();
            if (x >= threshold) return x % n;
        }
    }

    // Uniform in [lo, hi] (inclusive); hi < lo returns lo.
    uint64_t between(uint64_t lo, uint64_t hi) {
        if (hi <= lo) return lo;
        if (hi - lo == UINT64_MAX) return next();
        return lo + below(hi - lo + 1);
    }

    // Uniform in [0, 1) with 53 bits; exact IEEE arithmetic, so portable.
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    bool chance(double p) { return p > 0.0 && unit() < p; }

    // Roughly log-uniform in [lo, hi]: a bit length is drawn uniformly, then a value inside it,
    // so small and large sizes are equally common (integer-only, hence portable).
    uint64_t log_between(uint64_t lo, uint64_t hi) {
        if (hi <= lo) return lo;
        const unsigned blo = bit_length(lo), bhi = bit_length(hi);
        const unsigned b = static_cast<unsigned>(between(blo, bhi));
        uint64_t from = b == 0 ? 0 : (uint64_t{1} << (b - 1));
        uint64_t to = b == 0 ? 0 : (b >= 64 ? UINT64_MAX : (uint64_t{1} << b) - 1);
        if (from < lo) from = lo;
        if (to > hi) to = hi;
        return between(from, to);
    }

    // Little-endian byte order on every host, so payloads do not depend on the CPU.
    void fill(uint8_t *p, size_t n) {
        while (n >= 8) {
            const uint64_t x = next();
            for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(x >> (8 * i));
            p += 8;
            n -= 8;
        }
        if (n) {
            const uint64_t x = next();
            for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(x >> (8 * i));
        }
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static unsigned bit_length(uint64_t x) {
        unsigned n = 0;
        while (x) {
            ++n;
            x >>= 1;
        }
        return n;
    }

    uint64_t s_[4];
};

}  // namespace postern::synth
