#!/usr/bin/env python3
"""Tiny UDP/TCP responders for the probe tests, for protocols that no
Debian package serves (SQL Server browser, CLDAP) and for hostile replies.

    responder.py MODE ADDR PORT [ARG]

Modes:
  mssql       UDP: answer CLNT_UCAST_EX with a SVR_RESP listing two
              instances, built byte for byte from [MC-SQLR] 2.2.5.
  cldap       UDP: answer a root-DSE search with a SearchResultEntry and a
              SearchResultDone (RFC 4511), echoing the request's messageID.
  rpcdg       UDP: a connectionless (ncadg) endpoint mapper: answers each
              ept_lookup with one of Samba's recorded response stubs (ARG:
              the fuzz corpus directory of fuzz_rpc), re-wrapped in a C706
              12.5 response header; the first call gets the first batch,
              a call with an entry handle the last one.
  file        UDP: answer any datagram with the bytes of file ARG; with
              ARG2=N (as "FILE:N"), the first N bytes of the reply are
              copied from the request (transaction ids).
  tcpfile     TCP: send the bytes of file ARG on each connection, then
              wait for the peer to close.
  dump-mssql  print the mssql reply to stdout (for the fuzz corpus).

UDP modes ignore portscope's generic datagram ("\\r\\n\\r\\n"), so that the
protocol probe is what gets the answer.  Prints "ready" once listening.
"""
import socket
import sys


def mssql_reply():
    data = (b"ServerName;PSTEST;InstanceName;MSSQLSERVER;IsClustered;No;"
            b"Version;15.0.2000.5;tcp;1433;np;\\\\PSTEST\\pipe\\sql\\query;;"
            b"ServerName;PSTEST;InstanceName;SQLEXPRESS;IsClustered;No;"
            b"Version;16.0.1000.6;tcp;49733;;")
    return b"\x05" + len(data).to_bytes(2, "little") + data


def ber(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + content


def ber_read(buf, off):
    """(tag, content, next offset) of the TLV at off."""
    tag, l = buf[off], buf[off + 1]
    off += 2
    if l & 0x80:
        k = l & 0x7F
        l = int.from_bytes(buf[off:off + k], "big")
        off += k
    return tag, buf[off:off + l], off + l


def cldap_reply(req):
    _, msg, _ = ber_read(req, 0)
    tag, msgid, _ = ber_read(msg, 0)
    assert tag == 0x02
    idtlv = ber(0x02, msgid)
    attrs = [
        (b"dnsHostName", [b"dc1.portscope.test"]),
        (b"defaultNamingContext", [b"DC=portscope,DC=test"]),
        (b"supportedLDAPVersion", [b"3", b"2"]),
        (b"domainFunctionality", [b"7"]),
    ]
    al = b"".join(ber(0x30, ber(0x04, t) + ber(0x31, b"".join(ber(0x04, v) for v in vs)))
                  for t, vs in attrs)
    entry = ber(0x30, idtlv + ber(0x64, ber(0x04, b"") + ber(0x30, al)))
    done = ber(0x30, idtlv + ber(0x65, ber(0x0A, b"\x00") + ber(0x04, b"") + ber(0x04, b"")))
    return entry + done


def co_stub(path):
    """The stub of a recorded connection-oriented response PDU."""
    pdu = open(path, "rb").read()
    flen = int.from_bytes(pdu[8:10], "little")
    return pdu[24:flen]


def rpcdg_reply(req, stubs):
    if len(req) < 80 + 36 or req[0] != 4 or req[1] != 0:
        return None
    handle = req[96:116]
    stub = stubs[1] if any(handle) else stubs[0]
    hdr = bytearray(req[:80])
    hdr[1] = 2                  # response
    hdr[2] = 0                  # one fragment
    hdr[74:76] = len(stub).to_bytes(2, "little")
    return bytes(hdr) + stub


def main():
    mode = sys.argv[1]
    if mode == "dump-mssql":
        sys.stdout.buffer.write(mssql_reply())
        return
    addr, port = sys.argv[2], int(sys.argv[3])
    arg = sys.argv[4] if len(sys.argv) > 4 else None
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    if mode == "tcpfile":
        data = open(arg, "rb").read()
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(16)
        print("ready", flush=True)
        while True:
            c, _ = s.accept()
            try:
                c.sendall(data)
                c.settimeout(3)
                while c.recv(4096):
                    pass
            except OSError:
                pass
            c.close()
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, port))
    echo, data = 0, b""
    if mode == "rpcdg":
        stubs = [co_stub(arg + "/samba-ept-lookup-1.bin"),
                 co_stub(arg + "/samba-ept-lookup-2-last.bin")]
    if mode == "file":
        path, _, n = arg.partition(":")
        data, echo = open(path, "rb").read(), int(n or 0)
    print("ready", flush=True)
    while True:
        req, peer = s.recvfrom(65535)
        if req == b"\r\n\r\n":
            continue        # portscope's generic datagram: stay silent
        try:
            if mode == "mssql":
                if req[:1] in (b"\x02", b"\x03"):
                    s.sendto(mssql_reply(), peer)
            elif mode == "rpcdg":
                rep = rpcdg_reply(req, stubs)
                if rep:
                    s.sendto(rep, peer)
            elif mode == "cldap":
                s.sendto(cldap_reply(req), peer)
            elif mode == "file":
                s.sendto(req[:echo] + data[echo:], peer)
        except (AssertionError, IndexError):
            pass


if __name__ == "__main__":
    main()
