#include "synth/payload_builtin.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace postern::synth {

namespace {

// About one turn per 1.5 KB, at most 16, so small flows stay single round trips.
uint64_t max_turns_for(uint64_t total) { return std::min<uint64_t>(16, 1 + total / 1500); }

void append_text(std::vector<uint8_t> &out, uint64_t size, Rng &rng) {
    static constexpr std::array<std::string_view, 24> kWords = {
        "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
        "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et",
        "dolore", "magna", "aliqua", "Ut", "enim", "ad", "minim", "veniam,"};
    out.reserve(out.size() + size + 80);
    const size_t end = out.size() + size;
    while (out.size() < end) {
        // Lines of 1..78 characters plus CRLF; the last line may overshoot `size` a little.
        const size_t line_len = rng.between(1, 78);
        const size_t line_start = out.size();
        while (out.size() - line_start < line_len) {
            const auto w = kWords[rng.below(kWords.size())];
            if (out.size() != line_start) out.push_back(' ');
            out.insert(out.end(), w.begin(), w.end());
        }
        out.push_back('\r');
        out.push_back('\n');
    }
}

// What both generators share: a random closer and first speaker, then the budget cut into
// alternating turns whose `n` bytes `fill(data, n)` writes.
template <typename Fill>
void alternating_turns(const PayloadContext &ctx, Rng &rng, Conversation &out, Fill fill) {
    out.teardown = rng.chance(0.5) ? Teardown::FinClient : Teardown::FinServer;
    Side side = rng.chance(0.5) ? Side::Client : Side::Server;
    for (uint64_t n : split_into_turns(ctx.target_bytes, max_turns_for(ctx.target_bytes), rng)) {
        Exchange e;
        e.from = side;
        fill(e.data, n);
        out.exchanges.push_back(std::move(e));
        side = other(side);
    }
}

}  // namespace

void RandomPayload::generate(const PayloadContext &ctx, Rng &rng, Conversation &out) {
    alternating_turns(ctx, rng, out, [&rng](auto &data, uint64_t n) {
        data.resize(n);
        rng.fill(data.data(), n);
    });
}

void TextPayload::generate(const PayloadContext &ctx, Rng &rng, Conversation &out) {
    alternating_turns(ctx, rng, out, [&rng](auto &data, uint64_t n) { append_text(data, n, rng); });
}

}  // namespace postern::synth
