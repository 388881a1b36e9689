#include "history_main.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "config/config.hpp"
#include "config/listen_address.hpp"
#include "control/http_server.hpp"
#include "output/eve_file.hpp"
#include "output/redis_connect.hpp"
#include "output/redis_output.hpp"
#include "share/consumer_metrics.hpp"
#include "share/history_consumer.hpp"
#include "signals.hpp"

namespace postern::app {

namespace {

using namespace std::chrono_literals;

const char *kUsage =
    "usage: postern history --config FILE [--shards LIST] [--producers N] [--consumer NAME] [--eve-log PATH]\n"
    "                       [--metrics-listen ADDR:PORT]\n"
    "  --shards 0,2      the shards this consumer owns (default: all of detect.history.share.shards)\n"
    "  --producers N     batch run: wait for N producers and stop when all have ended\n"
    "  --consumer NAME   this consumer's name in the group (default: host-pid)\n"
    "  --eve-log PATH|-  EVE output (overrides output.eve_log)\n"
    "  --metrics-listen ADDR:PORT  serve GET /metrics (Prometheus) there\n";

int usage_error(const std::string &why) {
    std::fprintf(stderr, "postern history: %s\n%s", why.c_str(), kUsage);
    return 2;
}

bool parse_shards(const std::string &list, uint32_t shards, std::vector<uint32_t> &out, std::string &error) {
    size_t at = 0;
    while (at <= list.size()) {
        const size_t comma = std::min(list.find(',', at), list.size());
        const std::string item = list.substr(at, comma - at);
        char *end = nullptr;
        const unsigned long v = std::strtoul(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || v >= shards)
            return error = "--shards: \"" + item + "\" is not a shard number below " + std::to_string(shards), false;
        out.push_back(static_cast<uint32_t>(v));
        at = comma + 1;
    }
    return true;
}

void print_stats(const share::HistoryConsumer &c) {
    const share::ConsumerStats s = c.stats();
    std::fprintf(stderr,
                 "postern history: %llu summaries from %llu producers, %llu alerts; %llu entries read, %llu malformed, "
                 "%llu late, %llu released early (bound), %llu producer timeouts\n",
                 static_cast<unsigned long long>(s.summaries), static_cast<unsigned long long>(s.producers),
                 static_cast<unsigned long long>(s.alerts), static_cast<unsigned long long>(s.messages),
                 static_cast<unsigned long long>(s.malformed), static_cast<unsigned long long>(s.late),
                 static_cast<unsigned long long>(s.overflows), static_cast<unsigned long long>(s.producer_timeouts));
}

}  // namespace

int history_main(const std::vector<std::string> &args) {
    std::string config_path, shards_arg, eve_log, metrics_listen;
    share::ConsumerOptions opts;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        const bool has_value = i + 1 < args.size();
        if (a == "--help" || a == "-h") return std::fputs(kUsage, stdout), 0;
        if (!has_value) return usage_error(a + ": needs a value or is unknown");
        const std::string &v = args[++i];
        if (a == "--config") config_path = v;
        else if (a == "--shards") shards_arg = v;
        else if (a == "--consumer") opts.consumer = v;
        else if (a == "--eve-log") eve_log = v;
        else if (a == "--metrics-listen") metrics_listen = v;
        else if (a == "--producers") {
            char *end = nullptr;
            const unsigned long n = std::strtoul(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || n == 0 || n > 100000) return usage_error("--producers: \"" + v + "\" is not a count");
            opts.producers = static_cast<uint32_t>(n);
        } else return usage_error("unknown option " + a);
    }
    if (config_path.empty()) return usage_error("--config FILE is required (detect.history.share says where Redis is)");
    const config::LoadResult loaded = config::load_config_file(config_path);
    if (!loaded.ok()) {
        for (const auto &e : loaded.errors) std::fprintf(stderr, "postern history: %s: %s\n", config_path.c_str(), e.c_str());
        return 2;
    }
    const config::Config &c = loaded.config;
    if (!c.history_share.enabled)
        return usage_error(config_path + ": detect.history.share.enabled is not true: there is nothing to consume");
    if (std::string e; !shards_arg.empty() && !parse_shards(shards_arg, c.history_share.shards, opts.shards, e))
        return usage_error(e);

    output::EveFile eve;
    if (!eve.open(eve_log.empty() ? c.eve_log : eve_log)) return usage_error("output.eve_log: " + eve.error());
    std::unique_ptr<output::RedisOutput> redis;
    if (c.redis.enabled) {
        redis = std::make_unique<output::RedisOutput>(c.redis);
        if (std::string e; !redis->start(e)) return usage_error(e);
        eve.set_mirror(redis.get());
    }
    const auto alert_out = [&](std::string_view line) { eve.write_line(line); };

    dataplane::install_signal_handlers();
    share::HistoryConsumer consumer(c.history_share, c.detect, opts);
    boost::asio::io_context ioc;  // the metrics listener, polled between reads
    control::HttpServer metrics(ioc, {}, [&](const control::Request &req, control::Reply reply) {
        control::Response r;
        if (req.target != "/metrics") r.status = 404, r.body = "only /metrics here\n";
        else r.content_type = "text/plain; version=0.0.4", r.body = share::consumer_metrics(consumer);
        reply(std::move(r));
    });
    if (!metrics_listen.empty()) {
        const config::ListenParse at = config::parse_listen_address(metrics_listen);
        if (!at.error.empty()) return usage_error("--metrics-listen: " + at.error);
        if (std::string e = metrics.listen(at.address->host, at.address->port); !e.empty())
            return usage_error("--metrics-listen: " + e);
        std::fprintf(stderr, "postern history: metrics on http://%s:%u/metrics\n", metrics_listen.substr(0, metrics_listen.rfind(':')).c_str(),
                     metrics.port());
    }
    std::string last_error;
    auto backoff = 100ms;
    int code = 0;
    const auto block = metrics_listen.empty() ? 200ms : 50ms;  // how long a scrape may wait
    while (!dataplane::signal_flags().stop.load() && !consumer.done()) {
        ioc.poll();
        std::string error;
        if (!consumer.connected()) {
            const auto result = consumer.connect(error);
            if (result == share::HistoryConsumer::Connect::Ok) {
                std::fprintf(stderr, "postern history: consumer %s in group %s reading %zu streams at %s\n",
                             consumer.consumer_name().c_str(), c.history_share.group.c_str(), consumer.streams().size(),
                             output::redis_target(c.history_share.redis).c_str());
                last_error.clear(), backoff = 100ms;
                continue;
            }
            if (result == share::HistoryConsumer::Connect::Fatal) {
                std::fprintf(stderr, "postern history: %s\n", error.c_str());
                code = 1;
                break;
            }
        } else if (consumer.poll(alert_out, error, block)) {
            eve.flush();
            continue;
        }
        if (error != last_error) std::fprintf(stderr, "postern history: %s; retrying\n", error.c_str());
        last_error = error;
        for (auto waited = 0ms; waited < backoff && !dataplane::signal_flags().stop.load(); waited += 10ms) {
            ioc.poll();
            std::this_thread::sleep_for(10ms);
        }
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, 5s);
    }
    consumer.finish(alert_out);
    metrics.stop();
    ioc.poll();
    eve.close();
    if (redis) redis->stop();
    print_stats(consumer);
    return code;
}

}  // namespace postern::app
