import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * Loads a keystore as a Java mail server does and prints what its key manager will serve, for the
 * tests of renewals and password changes (test/helpers/java.ts compiles it with javac).
 *
 *   java -cp DIR ServerKeyCheck TYPE FILE STOREPASS KEYPASS
 *
 * Apache James (LegacyJavaEncryptionFactory) and Hedwig do KeyStore.getInstance(type).load(in,
 * storepass), then KeyManagerFactory.getInstance("SunX509").init(ks, keypass): SunX509's key
 * manager recovers every key entry at init with that one key password, so a key under another
 * password fails there ("Cannot recover key", or "Get Key failed" for PKCS#12). For each key
 * entry it prints one line: ALIAS TAB SHA-256 fingerprint of the certificate (keytool's form) TAB
 * chain length; a key that does not sign for its certificate's public key fails the run.
 */
public class ServerKeyCheck {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ServerKeyCheck TYPE FILE STOREPASS KEYPASS");
            System.exit(2);
        }
        KeyStore ks = KeyStore.getInstance(args[0]);
        try (InputStream in = new FileInputStream(args[1])) {
            ks.load(in, args[2].toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(ks, args[3].toCharArray());
        X509KeyManager km = null;
        for (KeyManager m : kmf.getKeyManagers()) if (m instanceof X509KeyManager) km = (X509KeyManager) m;
        if (km == null) throw new IllegalStateException("no X509KeyManager");
        List<String> aliases = Collections.list(ks.aliases());
        Collections.sort(aliases);
        List<String> lines = new ArrayList<>();
        for (String alias : aliases) {
            if (!ks.isKeyEntry(alias)) continue;
            PrivateKey key = km.getPrivateKey(alias);
            X509Certificate[] chain = km.getCertificateChain(alias);
            if (key == null || chain == null || chain.length == 0) throw new IllegalStateException(alias + ": the key manager serves no key or chain");
            proveKey(alias, key, chain[0]);
            lines.add(alias + "\t" + fingerprint(chain[0]) + "\t" + chain.length);
        }
        for (String line : lines) System.out.println(line);
    }

    /** The key signs, and the certificate's public key verifies the signature: the pair a TLS handshake needs. */
    static void proveKey(String alias, PrivateKey key, X509Certificate cert) throws Exception {
        String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] data = "mailcert".getBytes("US-ASCII");
        Signature s = Signature.getInstance(alg);
        s.initSign(key);
        s.update(data);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        v.initVerify(cert.getPublicKey());
        v.update(data);
        if (!v.verify(sig)) throw new IllegalStateException(alias + ": the key does not match its certificate");
    }

    static String fingerprint(X509Certificate cert) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < d.length; i++) {
            if (i > 0) sb.append(':');
            sb.append(String.format("%02X", d[i]));
        }
        return sb.toString();
    }
}
