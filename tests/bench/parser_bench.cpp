// Throughput of each mail parser (GB/s of payload, both directions) on realistic sessions from
// the synthesizer's mail generators, fed in TCP-segment-sized chunks as the dataplane does.
//   build/tests/bench/parser_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "proto/events.hpp"
#include "proto/imap/imap_parser.hpp"
#include "proto/pop3/pop3_parser.hpp"
#include "proto/smtp/smtp_parser.hpp"
#include "synth/payload_generator.hpp"

namespace {

using namespace postern;

struct Chunk {
    stream::Direction dir;
    size_t offset;  // into the direction's byte string
    size_t len;
};

// Sessions of one generator, laid out as the parser will see them.
struct Corpus {
    std::vector<std::vector<Chunk>> sessions;
    std::string bytes[2];
    size_t total = 0;
};

Corpus make_corpus(const char *generator, uint16_t port, int sessions) {
    Corpus c;
    auto gen = synth::make_payload_generator(generator);
    synth::Rng rng(42);
    for (int s = 0; s < sessions; ++s) {
        synth::Conversation conv;
        synth::PayloadContext ctx;
        ctx.flow_id = static_cast<uint64_t>(s);
        ctx.server_port = port;
        ctx.target_bytes = 20000;
        ctx.start_us = 1700000000000000ull;
        gen->generate(ctx, rng, conv);
        std::vector<Chunk> chunks;
        for (const auto &ex : conv.exchanges) {
            const auto dir = ex.from == synth::Side::Client ? stream::Direction::ToServer : stream::Direction::ToClient;
            std::string &b = c.bytes[stream::index(dir)];
            for (size_t off = 0; off < ex.data.size(); off += 1460) {
                const size_t n = std::min<size_t>(1460, ex.data.size() - off);
                chunks.push_back({dir, b.size() + off, n});
            }
            b.append(ex.data.begin(), ex.data.end());
            c.total += ex.data.size();
        }
        c.sessions.push_back(std::move(chunks));
    }
    return c;
}

template <class Parser>
void run_parser(benchmark::State &state, const char *generator, uint16_t port) {
    static const Corpus corpus = make_corpus(generator, port, 200);
    proto::NullEventSink sink;
    for (auto _ : state) {
        for (const auto &session : corpus.sessions) {
            Parser parser(sink);
            for (const Chunk &ch : session)
                parser.on_data(ch.dir, reinterpret_cast<const uint8_t *>(corpus.bytes[stream::index(ch.dir)].data()) + ch.offset, ch.len);
            parser.on_end(stream::Direction::ToServer);
            parser.on_end(stream::Direction::ToClient);
            benchmark::DoNotOptimize(parser.stats());
        }
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(corpus.total));
    state.counters["sessions"] = static_cast<double>(corpus.sessions.size());
}

void BM_SmtpParser(benchmark::State &state) { run_parser<proto::SmtpParser>(state, "smtp", 25); }
void BM_Pop3Parser(benchmark::State &state) { run_parser<proto::Pop3Parser>(state, "pop3", 110); }
void BM_ImapParser(benchmark::State &state) { run_parser<proto::ImapParser>(state, "imap", 143); }

BENCHMARK(BM_SmtpParser)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Pop3Parser)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ImapParser)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
