#!/usr/bin/env python3
"""Small servers for the home network test lab (home-lab.sh). Each runs inside a network
namespace that the test created; nothing here is meant to reach a real network.

  lab.py http-admin PORT login|redirect   router settings page (plain) or a redirect to HTTPS
  lab.py telnet PORT                       a telnet login banner (reads nothing)
  lab.py mdns ADDR SERVICE_TYPE INSTANCE   answers DNS-SD service queries (e.g. _googlecast._tcp)
  lab.py ssdp ADDR ST SERVER               answers SSDP M-SEARCH for ST (and ssdp:all)
  lab.py add-mapping GATEWAY EXT CLIENT INT DESCRIPTION
                                           asks the router's UPnP IGD for a TCP port mapping
"""
import socket
import struct
import sys
import http.server
import urllib.request


def http_admin(port, mode):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if mode == "redirect":
                self.send_response(301)
                self.send_header("Location", "https://192.168.77.1/")
                self.end_headers()
                return
            body = b"<html><head><title>Router Login</title></head><body><form>Password <input type=password></form></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()


def telnet(port):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", port))
    server.listen(8)
    while True:
        conn, _ = server.accept()
        try:
            conn.sendall(b"\r\nDIR-859 login: ")
        finally:
            conn.close()


def dns_name(name):
    out = b""
    for label in name.strip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def mdns(own, service_type, instance):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", 5353))
    membership = struct.pack("4s4s", socket.inet_aton("224.0.0.251"), socket.inet_aton(own))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    services = dns_name("_services._dns-sd._udp.local")
    type_name = dns_name(service_type + ".local")
    instance_name = dns_name(instance + "." + service_type + ".local")
    while True:
        data, sender = sock.recvfrom(9000)
        if len(data) < 12 or data[2] & 0x80 or services not in data:
            continue
        header = data[:2] + b"\x84\x00" + b"\x00\x00" + b"\x00\x02" + b"\x00\x00\x00\x00"
        answer = services + b"\x00\x0c\x00\x01\x00\x00\x11\x94" + struct.pack(">H", len(type_name)) + type_name
        answer += type_name + b"\x00\x0c\x00\x01\x00\x00\x11\x94" + struct.pack(">H", len(instance_name)) + instance_name
        sock.sendto(header + answer, sender)


def ssdp(own, st, server):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", 1900))
    membership = struct.pack("4s4s", socket.inet_aton("239.255.255.250"), socket.inet_aton(own))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    while True:
        data, sender = sock.recvfrom(9000)
        text = data.decode("latin-1")
        if not text.startswith("M-SEARCH") or ("ssdp:all" not in text and st not in text):
            continue
        reply = (
            "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n"
            f"LOCATION: http://{own}:8008/ssdp/device-desc.xml\r\nSERVER: {server}\r\n"
            f"ST: {st}\r\nUSN: uuid:lab-{abs(hash(st)) % 100000}::{st}\r\n\r\n"
        )
        sock.sendto(reply.encode(), sender)


def add_mapping(gateway, external, client, internal, description):
    service = "urn:schemas-upnp-org:service:WANIPConnection:2"
    body = (
        '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
        f'<u:AddPortMapping xmlns:u="{service}"><NewRemoteHost></NewRemoteHost>'
        f"<NewExternalPort>{external}</NewExternalPort><NewProtocol>TCP</NewProtocol>"
        f"<NewInternalPort>{internal}</NewInternalPort><NewInternalClient>{client}</NewInternalClient>"
        f"<NewEnabled>1</NewEnabled><NewPortMappingDescription>{description}</NewPortMappingDescription>"
        "<NewLeaseDuration>0</NewLeaseDuration></u:AddPortMapping></s:Body></s:Envelope>"
    )
    request = urllib.request.Request(
        f"http://{gateway}:5000/ctl/IPConn",
        data=body.encode(),
        headers={
            "Content-Type": 'text/xml; charset="utf-8"',
            "SOAPAction": f'"{service}#AddPortMapping"',
        },
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        if response.status != 200:
            sys.exit(f"AddPortMapping answered {response.status}")


def main():
    command, args = sys.argv[1], sys.argv[2:]
    if command == "http-admin":
        http_admin(int(args[0]), args[1])
    elif command == "telnet":
        telnet(int(args[0]))
    elif command == "mdns":
        mdns(args[0], args[1], args[2])
    elif command == "ssdp":
        ssdp(args[0], args[1], args[2])
    elif command == "add-mapping":
        add_mapping(args[0], args[1], args[2], args[3], args[4])
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
