#include "runtime.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include <thread>

#include "filestore/file_writer.hpp"
#include "output/redis_output.hpp"
#include "packet_meta.hpp"
#include "ports.hpp"

namespace postern::dataplane {

namespace {

int launch_rx(void *arg) { return static_cast<RxLcore *>(arg)->run(); }
int launch_worker(void *arg) { return static_cast<Worker *>(arg)->run(); }

std::string check_lcores(const config::Config &c) {
    if (rte_get_main_lcore() != c.lcores.control)
        return "lcores.control: is " + std::to_string(c.lcores.control) + " but the EAL main lcore is " +
               std::to_string(rte_get_main_lcore()) + " (use --main-lcore)";
    for (unsigned l : c.lcores.rx)
        if (!rte_lcore_is_enabled(l)) return "lcores.rx: lcore " + std::to_string(l) + " is not enabled in the EAL arguments";
    for (unsigned l : c.lcores.workers)
        if (!rte_lcore_is_enabled(l))
            return "lcores.workers: lcore " + std::to_string(l) + " is not enabled in the EAL arguments";
    return "";
}

// Everything the run creates, torn down in reverse order whatever happens.
struct Resources {
    rte_mempool *pool = nullptr;
    std::vector<StartedPort> ports;
    std::vector<rte_ring *> rings;
    ~Resources() {
        stop_ports(ports);
        for (rte_ring *r : rings) rte_ring_free(r);
        if (pool) rte_mempool_free(pool);
    }
};

RunResult run_initialised(const config::Config &c, std::shared_ptr<const rules::RuleSet> initial_rules) {
    RunResult res;
    if (std::string e = check_lcores(c); !e.empty()) return res.error = e, res;
    Resources rs;
    rs.pool = rte_pktmbuf_pool_create("postern_mbufs", c.mbufs, c.mbuf_cache, kPacketMetaSize,
                                      c.mbuf_data_room, static_cast<int>(rte_socket_id()));
    if (!rs.pool)
        return res.error = "mempool.mbufs: cannot allocate " + std::to_string(c.mbufs) + " mbufs: " +
                           rte_strerror(rte_errno) + " (raise the EAL -m memory)",
               res;
    const size_t nrx = c.lcores.rx.size(), nw = c.lcores.workers.size();
    // Inline: a TX queue per lcore that sends, on every port: workers first, then RX lcores.
    const auto tx_queues = static_cast<uint16_t>(nw + nrx);
    if (std::string e = start_ports(c, rs.pool, tx_queues, rs.ports); !e.empty()) return res.error = e, res;
    const bool inline_mode = c.mode == config::Mode::Inline;
    std::vector<uint16_t> peer_of(RTE_MAX_ETHPORTS, StartedPort::kNoPeer);
    for (const auto &p : rs.ports) peer_of[p.id] = p.peer;

    int ts_offset = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr);
    const int ts_bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr);
    const uint64_t ts_flag = ts_bit >= 0 ? (1ull << ts_bit) : 0;

    SharedState shared;
    std::vector<std::unique_ptr<pipeline::EventChannel>> channels;
    std::vector<std::string> port_names(RTE_MAX_ETHPORTS);
    for (const auto &p : rs.ports) port_names[p.id] = p.name;

    std::vector<std::vector<rte_ring *>> ring(nrx, std::vector<rte_ring *>(nw));
    for (size_t r = 0; r < nrx; ++r)
        for (size_t w = 0; w < nw; ++w) {
            const std::string name = "rx" + std::to_string(r) + "_w" + std::to_string(w);
            ring[r][w] = rte_ring_create(name.c_str(), c.ring_size, static_cast<int>(rte_socket_id()),
                                         RING_F_SP_ENQ | RING_F_SC_DEQ);
            if (!ring[r][w]) return res.error = "rx.ring_size: cannot create ring " + name + ": " + rte_strerror(rte_errno), res;
            rs.rings.push_back(ring[r][w]);
        }

    // Extraction: a writer thread (not an lcore: it waits on the disk) drains a channel per worker.
    std::unique_ptr<filestore::FileWriter> file_writer;
    std::vector<std::unique_ptr<pipeline::EventChannel>> file_channels;
    if (c.file_store.enabled) {
        file_writer = std::make_unique<filestore::FileWriter>(c.file_store);
        if (std::string e; !file_writer->prepare(e)) return res.error = e, res;
        for (size_t w = 0; w < nw; ++w) {
            file_channels.push_back(std::make_unique<pipeline::EventChannel>(c.file_store.queue_bytes));
            file_writer->add_channel(file_channels.back().get());
        }
    }

    RulePublication publication(static_cast<unsigned>(nw));
    RuleReloader reloader(publication, c.rules.files, nw, std::move(initial_rules));
    std::vector<std::unique_ptr<Worker>> workers;
    for (size_t w = 0; w < nw; ++w) {
        channels.push_back(std::make_unique<pipeline::EventChannel>(c.event_queue_bytes));
        WorkerSetup ws;
        ws.id = static_cast<unsigned>(w);
        for (size_t r = 0; r < nrx; ++r) ws.rings.push_back(ring[r][w]);
        ws.port_names = port_names;
        ws.config = &c;
        ws.shared = &shared;
        ws.channel = channels.back().get();
        if (file_writer) ws.file_channel = file_channels[w].get(), ws.stored_bytes = &file_writer->stored_bytes();
        ws.rules = &publication;
        ws.inline_mode = inline_mode;
        ws.peer_of = peer_of;
        ws.pool = rs.pool;
        workers.push_back(std::make_unique<Worker>(std::move(ws)));
    }

    // Deal every (port, queue) to the RX lcores round-robin.
    std::vector<RxSetup> rx_setups(nrx);
    size_t next = 0;
    for (const auto &p : rs.ports)
        for (uint16_t q = 0; q < p.rx_queues; ++q) {
            RxQueue rq;
            rq.port = p.id, rq.queue = q, rq.is_capture = p.is_capture;
            rq.expected_packets = p.expected_packets;
            rq.capture_timestamps = p.capture_timestamps && ts_offset >= 0 && ts_flag;
            rx_setups[next++ % nrx].queues.push_back(rq);
        }
    // One key per run: the flow hash cannot be aimed at from outside (flow.hash_seed fixes it).
    const net::FlowHasher hasher(c.flow_hash_seed);
    std::vector<std::unique_ptr<RxLcore>> rx;
    for (size_t r = 0; r < nrx; ++r) {
        RxSetup &s = rx_setups[r];
        s.id = static_cast<unsigned>(r);
        s.rings = ring[r];
        s.config = &c;
        s.shared = &shared;
        s.timestamp_offset = ts_offset;
        s.timestamp_flag = ts_flag;
        s.hasher = &hasher;
        s.pool = rs.pool;
        s.port_names = port_names;
        s.inline_mode = inline_mode;
        s.peer_of = peer_of;
        s.tx_queue = static_cast<uint16_t>(nw + r);
        // After the workers' channels: channel w is worker w's (metrics index them so).
        channels.push_back(std::make_unique<pipeline::EventChannel>(size_t{64} << 10));
        s.channel = channels.back().get();
        rx.push_back(std::make_unique<RxLcore>(std::move(s)));
    }

    output::EveFile eve;
    if (!eve.open(c.eve_log)) return res.error = "output.eve_log: " + eve.error(), res;
    std::unique_ptr<output::RedisOutput> redis;  // EVE to Redis as well (output.redis)
    if (c.redis.enabled) {
        redis = std::make_unique<output::RedisOutput>(c.redis);
        if (std::string e; !redis->start(e)) return res.error = e, res;
        eve.set_mirror(redis.get());
    }

    std::unique_ptr<share::SummaryPublisher> publisher;  // history shared through Redis Streams
    if (c.history_share.enabled) {
        publisher = std::make_unique<share::SummaryPublisher>(c.history_share);
        if (std::string e; !publisher->start(e)) return res.error = e, res;
    }

    ControlPlane control(c, shared, eve, rs.ports, rx, workers, channels, reloader);
    control.set_file_writer(file_writer.get());
    control.set_redis(redis.get());
    control.set_publisher(publisher.get());
    control.start_api();  // before the lcores start, so a scrape can see the first packet
    std::thread writer_thread;
    if (file_writer) writer_thread = std::thread([&] { file_writer->run(); });
    shared.rx_running.store(static_cast<unsigned>(nrx));
    for (size_t w = 0; w < nw; ++w) rte_eal_remote_launch(launch_worker, workers[w].get(), c.lcores.workers[w]);
    for (size_t r = 0; r < nrx; ++r) rte_eal_remote_launch(launch_rx, rx[r].get(), c.lcores.rx[r]);
    control.run();
    rte_eal_mp_wait_lcore();
    if (writer_thread.joinable()) writer_thread.join();  // every worker sent Done: it ends
    reloader.wait();
    eve.close();
    if (redis) redis->stop();  // what is buffered goes out while Redis answers
    if (publisher) publisher->stop();
    res.summary = control.summary();
    res.ok = true;
    return res;
}

}  // namespace

RunResult run(const config::Config &config, const std::vector<std::string> &eal_argv,
              std::shared_ptr<const rules::RuleSet> rules) {
    std::vector<char *> argv;
    std::vector<std::string> args = eal_argv;  // rte_eal_init may permute its argv
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (rte_eal_init(static_cast<int>(args.size()), argv.data()) < 0) {
        RunResult r;
        r.error = std::string("EAL initialisation failed: ") + rte_strerror(rte_errno);
        return r;
    }
    RunResult r = run_initialised(config, std::move(rules));
    rte_eal_cleanup();
    return r;
}

}  // namespace postern::dataplane
