#include "control/http_server.hpp"

// GCC 12 with -O3 and the sanitizers sees boost::optional's storage in Beast's parser as maybe
// uninitialised (a false positive inside Boost 1.74's headers); only this file includes Beast.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <array>
#include <cstdio>
#include <stdexcept>
#include <optional>
#include <unordered_set>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "control/problem.hpp"

namespace postern::control {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
class Session;
}

struct HttpServer::State {
    State(asio::io_context &io, HttpLimits l, Handler h) : ioc(io), acceptor(io), limits(l), handler(std::move(h)) {}
    asio::io_context &ioc;
    tcp::acceptor acceptor;
    HttpLimits limits;
    Handler handler;
    std::unordered_set<Session *> sessions;
    size_t refusing = 0;  // connections being told 503
    uint64_t rejected = 0;
    bool stopped = false;
};

namespace {

using StatePtr = std::shared_ptr<HttpServer::State>;

http::response<http::string_body> to_beast(const Response &r, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "postern");
    res.set(http::field::content_type, r.content_type);
    res.set(http::field::cache_control, "no-store");
    for (const auto &[k, v] : r.headers) res.set(k, v);
    res.keep_alive(keep_alive);
    res.body() = r.body;
    res.prepare_payload();
    return res;
}

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, StatePtr state) : stream_(std::move(socket)), state_(std::move(state)) {
        state_->sessions.insert(this);
    }
    ~Session() { state_->sessions.erase(this); }

    void read() {
        parser_.emplace();
        parser_->header_limit(static_cast<uint32_t>(state_->limits.max_header_bytes));
        parser_->body_limit(state_->limits.max_body_bytes);
        stream_.expires_after(state_->limits.request_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
    }

private:
    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || state_->stopped) return close();
        if (ec == http::error::body_limit)
            return send(problem(413, "body: larger than api.max_body_bytes (" +
                                         std::to_string(state_->limits.max_body_bytes) + " bytes)"),
                        11, false);
        if (ec == http::error::header_limit)
            return send(problem(431, "request headers larger than " + std::to_string(state_->limits.max_header_bytes) + " bytes"),
                        11, false);
        if (ec == beast::error::timeout) return close();  // a client that sends nothing gets nothing
        if (ec) {
            if (buffer_.size() == 0 && !parser_->got_some()) return close();
            return send(problem(400, std::string("malformed HTTP request: ") + ec.message()), 11, false);
        }
        const auto &m = parser_->get();
        Request req;
        req.method = std::string(m.method_string());
        req.target = std::string(m.target());
        if (auto it = m.find(http::field::authorization); it != m.end()) req.authorization = std::string(it->value());
        req.body = m.body();
        const unsigned version = m.version();
        const bool keep_alive = m.keep_alive();
        // A handler that throws is a bug; it costs this request a 500, never the control plane.
        try {
            state_->handler(req, [self = shared_from_this(), version, keep_alive](Response r) {
                self->send(std::move(r), version, keep_alive);
            });
        } catch (const std::exception &e) {
            std::fprintf(stderr, "postern: api: %s %s: internal error: %s\n", req.method.c_str(), req.target.c_str(), e.what());
            send(problem(500, std::string("internal error: ") + e.what()), version, false);
        }
    }

    void send(Response r, unsigned version, bool keep_alive) {
        if (state_->stopped || !stream_.socket().is_open()) return;
        res_ = to_beast(r, version, keep_alive);
        stream_.expires_after(state_->limits.request_timeout);
        http::async_write(stream_, res_, [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
            if (ec || self->state_->stopped) return self->close();
            if (!keep_alive) return self->linger();
            self->read();
        });
    }

    // After an answer that ends the connection (413 before the body was read, for instance), stop
    // sending and discard what the client still sends for a moment, so it reads our answer instead
    // of a reset (a lingering close, as web servers do). Bounded by a short deadline.
    void linger() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) return close();
        stream_.expires_after(std::chrono::seconds(1));
        discard();
    }
    void discard() {
        stream_.async_read_some(asio::buffer(sink_), [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec || self->state_->stopped) return self->close();
            self->discard();
        });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> res_;
    std::array<char, 16384> sink_;
    StatePtr state_;
};

// Over the connection limit: a short 503 under the same deadline, then close. At most as many
// of these as real sessions; beyond that the socket is closed at once.
void refuse(tcp::socket socket, const StatePtr &st) {
    ++st->rejected;
    if (st->refusing >= st->limits.max_connections) return;
    ++st->refusing;
    struct Refusal {
        beast::tcp_stream stream;
        http::response<http::string_body> res;
    };
    auto r = std::make_shared<Refusal>(Refusal{beast::tcp_stream(std::move(socket)), {}});
    Response p = problem(503, "too many connections (api.max_connections is " + std::to_string(st->limits.max_connections) + ")");
    p.headers.emplace_back("Retry-After", "1");
    r->res = to_beast(p, 11, false);
    r->stream.expires_after(st->limits.request_timeout);
    http::async_write(r->stream, r->res, [r, st](beast::error_code, size_t) {
        --st->refusing;
        beast::error_code ec;
        r->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        r->stream.close();
    });
}

void accept_next(const StatePtr &st) {
    st->acceptor.async_accept(st->ioc, [st](beast::error_code ec, tcp::socket socket) {
        if (st->stopped || !st->acceptor.is_open()) return;
        if (ec) {  // out of descriptors, say: pause instead of spinning on the error
            auto t = std::make_shared<asio::steady_timer>(st->ioc, std::chrono::milliseconds(50));
            return t->async_wait([st, t](beast::error_code) {
                if (!st->stopped) accept_next(st);
            });
        }
        if (st->sessions.size() >= st->limits.max_connections) refuse(std::move(socket), st);
        else std::make_shared<Session>(std::move(socket), st)->read();
        accept_next(st);
    });
}

}  // namespace

HttpServer::HttpServer(asio::io_context &ioc, HttpLimits limits, Handler handler)
    : state_(std::make_shared<State>(ioc, limits, std::move(handler))) {}

HttpServer::~HttpServer() { stop(); }

std::string HttpServer::listen(const std::string &host, uint16_t port) {
    beast::error_code ec;
    const auto addr = asio::ip::make_address(host, ec);
    if (ec) return "bad address " + host + ": " + ec.message();
    const tcp::endpoint ep(addr, port);
    auto &a = state_->acceptor;
    if (a.open(ep.protocol(), ec); ec) return "cannot open socket: " + ec.message();
    a.set_option(asio::socket_base::reuse_address(true), ec);
    if (a.bind(ep, ec); ec) return "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
    if (a.listen(asio::socket_base::max_listen_connections, ec); ec) return "cannot listen: " + ec.message();
    accept_next(state_);
    return "";
}

uint16_t HttpServer::port() const {
    beast::error_code ec;
    const auto ep = state_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

void HttpServer::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    beast::error_code ec;
    state_->acceptor.close(ec);
    // Closing may destroy a session (and erase it from the set): iterate over a copy.
    const std::vector<Session *> live(state_->sessions.begin(), state_->sessions.end());
    for (Session *s : live) s->close();
}

size_t HttpServer::connections() const { return state_->sessions.size(); }
uint64_t HttpServer::rejected() const { return state_->rejected; }

}  // namespace postern::control
