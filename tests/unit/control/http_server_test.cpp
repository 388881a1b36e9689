// The HTTP server over real loopback sockets: requests reach the handler, limits answer 413, 431
// and 503, a silent client is dropped at its deadline, and stop() ends the loop.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <stdexcept>

#include "control/http_server.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace postern::control;

class Server : public ::testing::Test {
protected:
    void start(HttpLimits limits) {
        server = std::make_unique<HttpServer>(ioc, limits, [this](const Request &req, Reply reply) {
            if (req.target == "/later") {
                later = std::move(reply);
                return;
            }
            if (req.target == "/throws") throw std::runtime_error("a handler bug");
            Response r;
            r.content_type = "text/plain";
            r.body = req.method + " " + req.target + " " + std::to_string(req.body.size()) + " " + req.authorization;
            reply(std::move(r));
        });
        ASSERT_EQ(server->listen("127.0.0.1", 0), "");
        port = server->port();
        ASSERT_NE(port, 0);
        loop = std::thread([this] { ioc.run(); });
    }
    void TearDown() override {
        if (server) asio::post(ioc, [this] { server->stop(); });
        if (loop.joinable()) loop.join();  // returns only when every connection has closed
    }
    tcp::socket connect() {
        tcp::socket s(client_ctx);
        s.connect({asio::ip::make_address("127.0.0.1"), port});
        return s;
    }
    // Sends raw bytes and reads until the server closes (or the response is complete).
    std::string exchange(tcp::socket &s, const std::string &raw) {
        asio::write(s, asio::buffer(raw));
        std::string out;
        boost::system::error_code ec;
        char buf[4096];
        for (;;) {
            const size_t n = s.read_some(asio::buffer(buf), ec);
            out.append(buf, n);
            if (ec) break;
            const auto head_end = out.find("\r\n\r\n");
            const auto cl = out.find("Content-Length: ");
            if (head_end != std::string::npos && cl != std::string::npos &&
                out.size() >= head_end + 4 + std::stoul(out.substr(cl + 16)))
                break;
        }
        return out;
    }
    asio::io_context ioc;
    asio::io_context client_ctx;
    std::unique_ptr<HttpServer> server;
    std::thread loop;
    uint16_t port = 0;
    Reply later;
};

TEST_F(Server, RequestsReachTheHandlerOverKeepAlive) {
    start({});
    auto s = connect();
    auto r1 = exchange(s, "GET /a?x=1 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer k\r\n\r\n");
    EXPECT_NE(r1.find("HTTP/1.1 200"), std::string::npos);
    EXPECT_NE(r1.find("GET /a?x=1 0 Bearer k"), std::string::npos);
    auto r2 = exchange(s, "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
    EXPECT_NE(r2.find("POST /b 3"), std::string::npos);
}

TEST_F(Server, OversizedBodyIs413AndBigHeadersAre431) {
    start({.max_body_bytes = 16, .max_header_bytes = 1024});
    auto s = connect();
    auto r = exchange(s, "PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'a'));
    EXPECT_NE(r.find("HTTP/1.1 413"), std::string::npos) << r;
    EXPECT_NE(r.find("application/problem+json"), std::string::npos);
    auto s2 = connect();
    r = exchange(s2, "GET /x HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(4000, 'b') + "\r\n\r\n");
    EXPECT_NE(r.find("HTTP/1.1 431"), std::string::npos) << r;
}

TEST_F(Server, ConnectionsOverTheLimitGet503) {
    start({.max_connections = 1});
    auto held = connect();
    // Make sure the first connection is a session before the second arrives.
    auto r = exchange(held, "GET /first HTTP/1.1\r\nHost: t\r\n\r\n");
    ASSERT_NE(r.find("200"), std::string::npos);
    auto extra = connect();
    r = exchange(extra, "GET /second HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_NE(r.find("HTTP/1.1 503"), std::string::npos) << r;
}

TEST_F(Server, SilentClientIsDroppedAtItsDeadline) {
    start({.request_timeout = std::chrono::milliseconds(100)});
    auto s = connect();
    asio::write(s, asio::buffer(std::string("GET /slow HTTP/1.1\r\n")));  // never finishes its headers
    char c;
    boost::system::error_code ec;
    s.read_some(asio::buffer(&c, 1), ec);  // blocks until the server closes
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
    // The server still serves others.
    auto s2 = connect();
    EXPECT_NE(exchange(s2, "GET /ok HTTP/1.1\r\nHost: t\r\n\r\n").find("200"), std::string::npos);
}

TEST_F(Server, RepliesMayComeLater) {
    start({});
    auto s = connect();
    asio::write(s, asio::buffer(std::string("GET /later HTTP/1.1\r\nHost: t\r\n\r\n")));
    // Answer from the loop's thread, as the control plane does.
    std::promise<void> sent;
    std::thread answer([&] {
        while (true) {
            std::promise<bool> has;
            asio::post(ioc, [&] { has.set_value(static_cast<bool>(later)); });
            if (has.get_future().get()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        asio::post(ioc, [&] {
            Response r;
            r.body = "done";
            later(std::move(r));
            sent.set_value();
        });
    });
    auto out = exchange(s, "");
    answer.join();
    // The posted handler runs on the loop's thread and may still be running when the client has
    // its answer: wait for it before `sent` (on this stack) goes away.
    sent.get_future().get();
    EXPECT_NE(out.find("done"), std::string::npos) << out;
}

TEST_F(Server, HandlerThatThrowsCostsOneRequestA500) {
    start({});
    auto s = connect();
    auto r = exchange(s, "GET /throws HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_NE(r.find("HTTP/1.1 500"), std::string::npos) << r;
    EXPECT_NE(r.find("a handler bug"), std::string::npos) << r;
    auto s2 = connect();  // the server goes on
    EXPECT_NE(exchange(s2, "GET /a HTTP/1.1\r\nHost: t\r\n\r\n").find("HTTP/1.1 200"), std::string::npos);
}

TEST_F(Server, MalformedRequestIs400) {
    start({});
    auto s = connect();
    auto r = exchange(s, "NOT HTTP AT ALL\r\n\r\n");
    EXPECT_NE(r.find("HTTP/1.1 400"), std::string::npos) << r;
}

}  // namespace
