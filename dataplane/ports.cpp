#include "ports.hpp"

#include <rte_ethdev.h>

namespace postern::dataplane {

namespace {

// RSS key whose repeating 16-bit pattern makes Toeplitz hashing symmetric (both directions of a
// flow land on the same queue).
uint8_t kSymmetricRssKey[40] = {
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a};

std::string device_lookup_name(const config::Port &p) {
    return p.is_pci() ? p.device : p.device.substr(0, p.device.find(','));
}

}  // namespace

std::string start_ports(const config::Config &c, rte_mempool *pool, uint16_t tx_queues, std::vector<StartedPort> &out) {
    const bool inline_mode = c.mode == config::Mode::Inline;
    for (size_t i = 0; i < c.ports.size(); ++i) {
        const config::Port &cp = c.ports[i];
        const std::string field = "ports[" + std::to_string(i) + "].device";
        StartedPort sp;
        sp.name = cp.name;
        const std::string lookup = device_lookup_name(cp);
        if (rte_eth_dev_get_port_by_name(lookup.c_str(), &sp.id) != 0)
            return field + ": no DPDK port named \"" + lookup + "\" (driver not loaded, or the NIC is not bound to a DPDK driver)";
        rte_eth_dev_info info{};
        if (rte_eth_dev_info_get(sp.id, &info) != 0) return field + ": cannot read device info";
        sp.driver = info.driver_name ? info.driver_name : "";
        if (cp.rx_queues > info.max_rx_queues)
            return "ports[" + std::to_string(i) + "].rx_queues: the device has at most " +
                   std::to_string(info.max_rx_queues) + " RX queues";
        rte_eth_conf conf{};
        if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
        // net_pcap stamps every mbuf with the capture time; NIC timestamps count device clock
        // ticks, so live ports use the host clock instead.
        sp.capture_timestamps = sp.driver == "net_pcap";
        if (cp.rx_queues > 1) {
            conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
            conf.rx_adv_conf.rss_conf.rss_key = kSymmetricRssKey;
            conf.rx_adv_conf.rss_conf.rss_key_len = sizeof kSymmetricRssKey;
            conf.rx_adv_conf.rss_conf.rss_hf =
                info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
        }
        // Inline: a TX queue per lcore that transmits (workers, then RX lcores); tap mode sends
        // nothing, but some PMDs want one.
        const uint16_t txq = inline_mode ? tx_queues : (info.max_tx_queues > 0 ? 1 : 0);
        if (txq > info.max_tx_queues)
            return field + ": inline mode needs " + std::to_string(txq) + " TX queues (one per worker and RX lcore), " +
                   "the device has " + std::to_string(info.max_tx_queues) +
                   (sp.driver == "net_af_packet" ? " (raise qpairs=)" : "");
        int rc = rte_eth_dev_configure(sp.id, cp.rx_queues, txq, &conf);
        if (rc != 0) return field + ": configure failed: " + rte_strerror(-rc);
        uint16_t nb_rxd = cp.rx_descriptors, nb_txd = 512;
        rte_eth_dev_adjust_nb_rx_tx_desc(sp.id, &nb_rxd, &nb_txd);
        const int socket = rte_eth_dev_socket_id(sp.id);
        for (uint16_t q = 0; q < cp.rx_queues; ++q) {
            rc = rte_eth_rx_queue_setup(sp.id, q, nb_rxd, socket < 0 ? SOCKET_ID_ANY : socket, nullptr, pool);
            if (rc != 0) return field + ": RX queue " + std::to_string(q) + " setup failed: " + rte_strerror(-rc);
        }
        for (uint16_t q = 0; q < txq; ++q) {
            rc = rte_eth_tx_queue_setup(sp.id, q, nb_txd, socket < 0 ? SOCKET_ID_ANY : socket, nullptr);
            if (rc != 0) return field + ": TX queue " + std::to_string(q) + " setup failed: " + rte_strerror(-rc);
        }
        sp.tx_queues = txq;
        if (!cp.capture_file().empty()) {
            sp.is_capture = true;
            // Counted before the run (app/captures.cpp); uncounted, the port ends when it stalls.
            sp.expected_packets = cp.capture_packets.value_or(UINT64_MAX);
        }
        rc = rte_eth_dev_start(sp.id);
        if (rc != 0) return field + ": start failed: " + rte_strerror(-rc);
        rte_eth_promiscuous_enable(sp.id);  // a tap sees traffic for every address; not all PMDs care
        sp.rx_queues = cp.rx_queues;
        out.push_back(sp);
    }
    if (!inline_mode) return "";
    // Pairs (the config checked that they name each other): same MTU, or frames would not fit.
    for (size_t i = 0; i < c.ports.size(); ++i) {
        for (size_t j = 0; j < c.ports.size(); ++j)
            if (c.ports[j].name == c.ports[i].peer) out[i].peer = out[j].id;
        uint16_t mine = 0, theirs = 0;
        rte_eth_dev_get_mtu(out[i].id, &mine);
        rte_eth_dev_get_mtu(out[i].peer, &theirs);
        if (mine != theirs)
            return "ports[" + std::to_string(i) + "].peer: MTU " + std::to_string(mine) + " here, " +
                   std::to_string(theirs) + " on \"" + c.ports[i].peer + "\"; a pair needs the same";
    }
    return "";
}

void stop_ports(const std::vector<StartedPort> &ports) {
    for (const auto &p : ports) {
        rte_eth_dev_stop(p.id);
        rte_eth_dev_close(p.id);
    }
}

}  // namespace postern::dataplane
