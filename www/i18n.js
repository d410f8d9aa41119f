// English and 中文 for every string the page shows. Static text is marked in index.html with
// data-i18n (textContent), data-i18n-placeholder and data-i18n-title; dynamic text calls t().
// The choice comes from ?lang=, else the last choice, else the browser's language.

const STRINGS = {
  en: {
    'app.title': 'BERT vs GPT',
    'app.subtitle':
      'Why did ChatGPT, not BERT, start the AI wave? Two real language models, running inside this browser tab, show how an encoder and a decoder differ.',
    'app.language': '中文',
    'app.languageTitle': 'Switch the page to Chinese',
    'app.workerFailed': 'The models cannot run: {message}',
    'app.footer': 'all-MiniLM-L6-v2 and SmolLM2-135M-Instruct (both Apache-2.0), multilingual-e5-small (MIT) · candle · tokenizers · Apache ECharts. Everything runs in this tab; nothing you type leaves it.',
    'app.oneThread.not-isolated': 'The models run on one thread: this page is not cross-origin isolated (its host does not send the COOP/COEP headers that wasm threads need; `make demo` does).',
    'app.oneThread.helpers-failed': 'The models run on one thread: the helper threads did not start.',
    'app.encoder': 'Encoder',
    'app.encoderAuto': 'By language',
    'app.encoderTitle': 'Which BERT the embedding lessons use. By language: all-MiniLM-L6-v2 in English, multilingual-e5-small in 中文 (MiniLM is an English model and embeds Chinese poorly).',
    'app.precision': 'MiniLM weights',
    'app.precisionF32': 'f32 (as published)',
    'app.precisionInt16': 'int16 (faster)',
    'app.precisionTitle': 'How all-MiniLM-L6-v2 keeps its matrices. int16 rounds each weight to a 16-bit integer (11 significant bits per output column) and multiplies in integers: 1.3 to 1.4 times as fast, half the memory, embeddings within cosine 0.9999 of f32. Changing it reloads MiniLM from storage on next use.',
    'app.presenter': 'Presenter mode',
    'app.presenterTitle': 'Large type for a projector',
    'nav.encoder': '1 Encoder',
    'nav.decoder': '2 Decoder',
    'nav.surprise': '3 Surprise',
    'nav.analogy': '4 Vector arithmetic',
    'nav.keywords': '5 Keywords',
    'nav.compare': '6 BERT vs GPT vectors',
    'nav.roi': '7 Cost (ROI)',
    'nav.context': '8 Context limit',
    'nav.tokenizers': '9 Tokenizers',
    'analogy.title': '4 · Vector arithmetic: Washington − US + France ≈ ?',
    'analogy.lead':
      'If embeddings carry meaning, the step from a country to its capital should be roughly the same arrow everywhere (the idea behind TransE). So take Washington, subtract US, add France, and ask which candidate word lies nearest — A, B and C themselves left out. The arrows on the map show the two steps.',
    'analogy.run': 'Compute',
    'analogy.vocabulary': 'Candidate words',
    'analogy.vocabularyHelp': 'The answer is searched among these words (commas or new lines between them). Add your own.',
    'analogy.results': 'Nearest candidates (cosine similarity)',
    'analogy.map': 'A, B, C, the query and the answers in 2D',
    'analogy.right': '✓ The model lands on “{word}”.',
    'analogy.close': '≈ The expected “{word}” is only number {rank}: close, but the model gets this one wrong.',
    'analogy.wrong': '✗ The expected “{word}” is not among the five nearest: the model gets this one wrong.',
    'analogy.missing': 'Fill in A, B and C.',
    'analogy.fewWords': 'Give at least two candidate words.',
    'analogy.working': 'Embedding {count} candidate words…',
    'keywords.title': '5 · Keywords: KeyBERT versus asking GPT',
    'keywords.lead':
      'KeyBERT needs no training and no prompt: it embeds the document and every candidate phrase, and the keywords are simply the phrases whose vectors sit closest to the document’s. The diversity slider (maximal marginal relevance) stops it from listing five versions of one idea. Beside it, the decoder is asked to “list the keywords”. Compare the answers and the time each took.',
    'keywords.diversity': 'Diversity (MMR)',
    'keywords.run': 'Extract keywords both ways',
    'keywords.keybert': 'KeyBERT (embeddings + cosine)',
    'keywords.gpt': 'GPT asked: “List the five most important keywords”',
    'keywords.working': 'Working…',
    'keywords.keybertTime': '{ms} ms, {candidates} candidate phrases embedded (moving the slider re-ranks them instantly).',
    'keywords.gptTime': '{ms} ms, reading {prompt} prompt tokens and writing {tokens}.',
    'keywords.empty': 'Paste a document first.',
    'compare.title': '6 · Sentence vectors from BERT and from GPT',
    'compare.lead':
      'A decoder also has vectors inside: average its last hidden states over a sentence and you get an embedding too. Which one keeps labelled groups apart better? Each map is scored by the silhouette (−1 … 1, higher = tighter, better separated groups) and by nearest-neighbour accuracy (is each sentence’s closest neighbour from its own group?).',
    'compare.projection': 'Map',
    'compare.placeholder': 'One sentence per line; an empty line starts the next group',
    'compare.run': 'Embed with both',
    'compare.encoderCaption': 'Encoder: {model} ({dim}-d, trained for sentence embeddings)',
    'compare.decoderCaption': 'Decoder: {model} ({dim}-d, mean of last hidden states)',
    'compare.score': 'silhouette {silhouette} · nearest neighbour in the same group {accuracy}% · {ms} ms',
    'compare.needGroups': 'Give at least two groups and four sentences: one sentence per line, an empty line between groups.',
    'compare.working': 'Embedding {count} sentences with both models…',
    'roi.title': '7 · Cost: a calculator versus asking GPT',
    'roi.lead':
      'One labelled task, 21 short texts in three topics, solved twice. (a) Embeddings: three examples per topic give each topic a centroid, and every text takes the topic of the nearest centroid — vector maths, like a calculator. (b) GPT: the decoder is asked, text by text, which topic it is. Same task, same browser: compare accuracy, time and the estimated floating-point operations.',
    'roi.language': 'Task',
    'roi.run': 'Run both',
    'roi.embedding': 'Embeddings + nearest centroid',
    'roi.gpt': 'Asking GPT',
    'roi.accuracy': 'Accuracy',
    'roi.time': 'Time',
    'roi.flops': 'Estimated FLOPs',
    'roi.accuracyValue': '{correct} / {total} ({percent}%)',
    'roi.msValue': '{ms} ms',
    'roi.summary': 'Asking GPT took {times}× the time and {flops}× the arithmetic of the embedding approach. (A much larger GPT would answer better — and cost far more again.)',
    'roi.answers': 'GPT’s answers (its words → the topic read from them / the right topic)',
    'roi.progress': 'Asking GPT: {done} of {total} texts…',
    'busy.stopped': 'Stopped.',
    'context.title': '8 · The context limit',
    'context.lead':
      'Both models read a limited number of tokens. BERT stops at 256 (this encoder’s setting; the rest of the text is simply ignored); GPT’s window holds 8,192 tokens of prompt and answer together. And each new token GPT writes attends to every token before it, so writing gets slower as the context grows: the chart times it.',
    'context.lengths': 'Contexts to time (tokens)',
    'context.run': 'Count and time',
    'context.counts':
      'BERT: {bert} tokens, of which it reads {bertRead} (limit {bertLimit}). GPT: {gpt} tokens, window {gptLimit}: {gptFits}.',
    'context.fits': 'it fits',
    'context.overflows': 'it does not fit',
    'context.countsChart': 'Tokens of this text against each limit (log scale)',
    'context.timeChart': 'Milliseconds per generated token, as the context grows',
    'context.bertText': 'BERT: this text',
    'context.bertLimit': 'BERT: reads at most',
    'context.gptText': 'GPT: this text',
    'context.gptLimit': 'GPT: window',
    'context.xAxis': 'tokens already in the context',
    'context.yAxis': 'ms per new token',
    'context.progress': 'Timing after {context} tokens ({done} of {total} done)…',
    'context.empty': 'Paste a text first.',
    'context.badLengths': 'Contexts must be whole numbers from 1 to 8192, separated by commas.',
    'tokenizers.title': '9 · Tokenizers: WordPiece and byte-level BPE',
    'tokenizers.lead':
      'Neither model reads letters or words: both read tokens, numbers from a fixed vocabulary. BERT’s WordPiece marks word pieces with ## and adds [CLS] and [SEP]; GPT’s byte-level BPE keeps the leading space inside the token (shown as ·) and can fall back to single bytes (<0x…>) for anything, so no text is unknown to it.',
    'tokenizers.run': 'Tokenize with both',
    'tokenizers.bert': 'BERT ({model}): {count} tokens',
    'tokenizers.gpt': 'GPT ({model}): {count} tokens',
    'tokenizers.empty': 'Type some text first.',
    'settings.title': 'Settings',
    'settings.weights': 'Weights URL',
    'settings.weightsHelp':
      'Where model files come from: empty = models/ on this site; "huggingface" = the public Hugging Face URLs; or any URL holding <model id>/<file name>. Files are checked against their sha256 either way.',
    'settings.apply': 'Apply',
    'settings.clear': 'Clear downloaded models',
    'settings.cleared': 'Removed {size} of stored model files; the next use downloads them again.',
    'settings.clearFailed': 'Could not clear the stored models: {message}',
    'settings.badUrl': '“{url}” is not a usable weights URL; using models/ on this site instead.',
    'encoder.title': '1 · The encoder (BERT): text becomes a vector',
    'encoder.lead':
      'An encoder reads a whole sentence at once and turns it into one vector (here 384 numbers). Sentences that mean similar things get vectors that point in similar directions, so plain vector maths — cosine similarity, nearest neighbours — already does useful work. Type sentences, one per line, and watch where they land.',
    'preset.label': 'Preset',
    'preset.choose': 'choose a preset…',
    'encoder.placeholder': 'One sentence per line',
    'encoder.embed': 'Embed',
    'encoder.embedding': 'Embedding {count} sentences…',
    'encoder.embedded': '{count} sentences embedded in {ms} ms.',
    'encoder.map': 'Map: the 384-d vectors projected to 2D',
    'encoder.heatmap': 'Cosine similarity of every pair',
    'encoder.variance':
      'The two axes keep {pc1}% and {pc2}% of the variance ({total}% together): the map is a shadow of the 384 dimensions, the heatmap is exact.',
    'encoder.tsne': 't-SNE keeps each sentence’s neighbours close; distances between clusters, and the axes, mean little.',
    'encoder.clickHint': 'Click a point on the map to list its nearest neighbours.',
    'encoder.neighbours': 'Nearest to “{text}” (cosine similarity):',
    'decoder.title': '2 · The decoder (GPT): one next token at a time',
    'decoder.lead':
      'A decoder such as GPT has a single task: given the text so far, predict the next token. Repeating that one task writes whole answers — and because the task is so general, one model can chat, translate, summarise and code. Watch each token appear with the candidates it was chosen from.',
    'decoder.chat': 'Chat (wrap the prompt in the model’s chat template)',
    'decoder.chatHelp': 'On: the prompt becomes a user message after the default system message. Off: the model simply continues the text.',
    'decoder.placeholder': 'A question (chat) or the start of a text (completion)',
    'decoder.temperature': 'Temperature',
    'decoder.topK': 'Top-k',
    'decoder.topP': 'Top-p',
    'decoder.seed': 'Seed',
    'decoder.max': 'Max new tokens',
    'decoder.samplingHelp':
      'Temperature 0 always takes the most likely token (greedy). Above 0 the next token is drawn at random, from the top-k tokens (0 = all) and the smallest set reaching probability top-p; the same seed gives the same draw.',
    'decoder.generate': 'Generate',
    'decoder.step': 'Step',
    'decoder.stop': 'Stop',
    'decoder.prefill': 'Reading the prompt: {done} of {total} tokens…',
    'decoder.promptTokens': 'prompt: {count} tokens',
    'decoder.firstToken': 'first token after {ms} ms',
    'decoder.rate': '{rate} tokens/s',
    'decoder.generated': '{count} tokens generated',
    'decoder.paused': 'paused: Step adds one token, Generate runs on',
    'decoder.stepCaption':
      'Token {n}: “{token}” was chosen with probability {prob}. The bars are the model’s own probabilities (softmax at temperature 1), before temperature, top-k and top-p.',
    'finish.end': 'ended: the model chose its end token',
    'finish.length': 'ended: max new tokens reached',
    'finish.stop': 'ended: a stop string appeared',
    'finish.context': 'ended: the context window is full',
    'finish.cancelled': 'stopped',
    'surprise.title': '3 · Surprise: how expected is each token?',
    'surprise.lead':
      'The same next-token prediction, run over text you give it (teacher forcing): each token is coloured by the probability the decoder gave it after the tokens before it — green expected, red surprising. All positions are scored in one pass.',
    'surprise.score': 'Score',
    'surprise.summary': '{count} tokens · average log-probability {mean} · perplexity {perplexity}',
    'surprise.hint': 'Click a token to see what the model expected there.',
    'surprise.first': 'The first token has nothing before it, so it gets no probability.',
    'surprise.caption': 'Here the model gave “{token}” probability {prob}; the bars are its ten favourites at this point.',
    'surprise.empty': 'Type some text to score.',
    'surprise.tooShort': 'The text needs at least two tokens.',
    'notice.allBlank': 'Nothing to embed: every line is blank. Type at least one sentence, one per line.',
    'notice.truncated':
      'Line {line} has more than {max} tokens; only its first {max} tokens were embedded ({max} is this encoder’s input limit).',
    'notice.tooMany': 'Only the first {max} lines were embedded.',
    'model.unknown': 'Checking what needs downloading…',
    'model.notCached':
      '{model} is not in this browser yet. The first use downloads {files}, {size} in all, from {source}.',
    'model.files': '{count} files',
    'model.oneFile': '1 file',
    'model.partlyCached': '{model}: {size} of its files still need downloading, from {source}.',
    'model.cached': '{model} is stored in this browser ({size}); nothing will be downloaded.',
    'model.loading': 'Loading {model}…',
    'model.loaded': '{model} is loaded: {dim}-dimensional vectors, at most {max} tokens per text.',
    'model.loadedDecoder': '{model} is loaded: it reads at most {context} tokens (prompt and answer together).',
    'model.failed': '{model} could not be loaded.',
    'model.download': 'Download now',
    'model.sameSite': 'models/ on this site',
    'progress.download': 'downloading',
    'progress.verify': 'checking sha256',
    'progress.cached': 'from browser storage',
    'progress.stored': 'verified',
    'progress.compile': 'Building the model in WebAssembly…',
  },
  zh: {
    'app.title': 'BERT 对比 GPT',
    'app.subtitle':
      '为什么掀起 AI 浪潮的是 ChatGPT，而不是 BERT？两个真实的语言模型就在这个浏览器标签页里运行，让你看到编码器和解码器的区别。',
    'app.language': 'English',
    'app.languageTitle': '切换到英文界面',
    'app.workerFailed': '模型无法运行：{message}',
    'app.footer': 'all-MiniLM-L6-v2 与 SmolLM2-135M-Instruct（均为 Apache-2.0）、multilingual-e5-small（MIT）· candle · tokenizers · Apache ECharts。一切都在这个标签页里运行，你输入的内容不会离开它。',
    'app.oneThread.not-isolated': '模型只在一个线程上运行：此页面未处于跨源隔离状态（托管方没有发送 wasm 多线程所需的 COOP/COEP 响应头；`make demo` 会发送）。',
    'app.oneThread.helpers-failed': '模型只在一个线程上运行：辅助线程未能启动。',
    'app.encoder': '编码器',
    'app.encoderAuto': '随界面语言',
    'app.encoderTitle': '嵌入类课程使用哪个 BERT。随界面语言：英文界面用 all-MiniLM-L6-v2，中文界面用 multilingual-e5-small（MiniLM 是英文模型，中文嵌入效果差）。',
    'app.precision': 'MiniLM 权重',
    'app.precisionF32': 'f32（原始精度）',
    'app.precisionInt16': 'int16（更快）',
    'app.precisionTitle': 'all-MiniLM-L6-v2 的矩阵如何保存。int16 把每个权重取整为 16 位整数（每个输出列 11 位有效数字）并用整数相乘：速度约为 1.3 至 1.4 倍，内存减半，嵌入与 f32 的余弦相似度不低于 0.9999。更改后，MiniLM 下次使用时从本地存储重新加载。',
    'app.presenter': '演示模式',
    'app.presenterTitle': '放大字体，适合投影',
    'nav.encoder': '1 编码器',
    'nav.decoder': '2 解码器',
    'nav.surprise': '3 意外程度',
    'nav.analogy': '4 向量运算',
    'nav.keywords': '5 关键词',
    'nav.compare': '6 BERT 与 GPT 的向量',
    'nav.roi': '7 成本（ROI）',
    'nav.context': '8 上下文上限',
    'nav.tokenizers': '9 分词器',
    'analogy.title': '4 · 向量运算：华盛顿 − 美国 + 法国 ≈ ？',
    'analogy.lead':
      '如果嵌入承载了语义，那么从一个国家到它首都的那一步，在各处都应该是差不多同一个箭头（TransE 的思想）。取“华盛顿”，减去“美国”，加上“法国”，看看哪个候选词离结果最近——A、B、C 本身不算。地图上的箭头画出了这两步。',
    'analogy.run': '计算',
    'analogy.vocabulary': '候选词',
    'analogy.vocabularyHelp': '答案在这些词中寻找（用逗号或换行分隔）。可以加入你自己的词。',
    'analogy.results': '最接近的候选词（余弦相似度）',
    'analogy.map': 'A、B、C、查询向量和答案的二维图',
    'analogy.right': '✓ 模型找到了“{word}”。',
    'analogy.close': '≈ 期望的“{word}”只排在第 {rank} 位：很接近，但模型这次答错了。',
    'analogy.wrong': '✗ 期望的“{word}”不在最接近的五个词里：模型这次答错了。',
    'analogy.missing': '请填写 A、B 和 C。',
    'analogy.fewWords': '至少需要两个候选词。',
    'analogy.working': '正在为 {count} 个候选词生成向量…',
    'keywords.title': '5 · 关键词：KeyBERT 与直接问 GPT',
    'keywords.lead':
      'KeyBERT 不需要训练，也不需要提示词：它为文档和每个候选短语生成向量，关键词就是向量离文档最近的那些短语。“多样性”滑块（最大边际相关）防止它把同一个意思列五遍。旁边，我们直接让解码器“列出关键词”。比较两边的答案和各自用的时间。',
    'keywords.diversity': '多样性（MMR）',
    'keywords.run': '用两种方法提取关键词',
    'keywords.keybert': 'KeyBERT（嵌入 + 余弦）',
    'keywords.gpt': '问 GPT：“列出最重要的五个关键词”',
    'keywords.working': '计算中…',
    'keywords.keybertTime': '{ms} 毫秒，为 {candidates} 个候选短语生成了向量（拖动滑块会立即重新排序）。',
    'keywords.gptTime': '{ms} 毫秒，读取 {prompt} 个提示词元，写出 {tokens} 个。',
    'keywords.empty': '请先粘贴一段文档。',
    'compare.title': '6 · 来自 BERT 和来自 GPT 的句子向量',
    'compare.lead':
      '解码器内部也有向量：把一句话最后一层的隐藏状态取平均，也能得到一个嵌入。哪一种能把标好组别的句子分得更开？每张图有两个分数：轮廓系数（−1 … 1，越高表示组内越紧、组间越开）和最近邻准确率（每句话最接近的句子是否来自同一组？）。',
    'compare.projection': '地图',
    'compare.placeholder': '每行一句；空一行开始下一组',
    'compare.run': '用两个模型生成向量',
    'compare.encoderCaption': '编码器：{model}（{dim} 维，专为句子嵌入训练）',
    'compare.decoderCaption': '解码器：{model}（{dim} 维，最后一层隐藏状态的平均）',
    'compare.score': '轮廓系数 {silhouette} · 最近邻同组 {accuracy}% · {ms} 毫秒',
    'compare.needGroups': '至少需要两组、四句话：每行一句，组与组之间空一行。',
    'compare.working': '正在用两个模型为 {count} 句话生成向量…',
    'roi.title': '7 · 成本：计算器与问 GPT',
    'roi.lead':
      '同一个有标注的任务：21 条短文本，分属三个主题，用两种方法各做一遍。(a) 嵌入：每个主题用三个例子算出一个中心，每条文本归入最近的中心——只是向量运算，像计算器一样。(b) GPT：逐条问解码器这是什么主题。同样的任务、同一个浏览器：比较准确率、时间和估算的浮点运算次数。',
    'roi.language': '任务',
    'roi.run': '两种都运行',
    'roi.embedding': '嵌入 + 最近中心',
    'roi.gpt': '问 GPT',
    'roi.accuracy': '准确率',
    'roi.time': '时间',
    'roi.flops': '估算浮点运算量',
    'roi.accuracyValue': '{correct} / {total}（{percent}%）',
    'roi.msValue': '{ms} 毫秒',
    'roi.summary': '问 GPT 用的时间是嵌入方法的 {times} 倍，计算量是 {flops} 倍。（更大的 GPT 会答得更好——但成本又会高出许多。）',
    'roi.answers': 'GPT 的回答（它的原话 → 从中读出的主题 / 正确主题）',
    'roi.progress': '正在问 GPT：第 {done} / {total} 条…',
    'busy.stopped': '已停止。',
    'context.title': '8 · 上下文上限',
    'context.lead':
      '两个模型能读的词元数都有限。BERT 读到 256 个就停下（这是这个编码器的设置，后面的文字直接被忽略）；GPT 的窗口能容纳 8,192 个词元，提示和回答合计。而且 GPT 每写一个新词元，都要关注前面所有的词元，所以上下文越长，写得越慢：图表测量了这一点。',
    'context.lengths': '要测量的上下文长度（词元）',
    'context.run': '计数并测时',
    'context.counts': 'BERT：{bert} 个词元，其中读取 {bertRead} 个（上限 {bertLimit}）。GPT：{gpt} 个词元，窗口 {gptLimit}：{gptFits}。',
    'context.fits': '放得下',
    'context.overflows': '放不下',
    'context.countsChart': '这段文字的词元数与各自的上限（对数坐标）',
    'context.timeChart': '随着上下文增长，每生成一个词元所需的毫秒数',
    'context.bertText': 'BERT：这段文字',
    'context.bertLimit': 'BERT：最多读取',
    'context.gptText': 'GPT：这段文字',
    'context.gptLimit': 'GPT：窗口',
    'context.xAxis': '上下文中已有的词元数',
    'context.yAxis': '每个新词元的毫秒数',
    'context.progress': '正在测量 {context} 个词元之后的速度（已完成 {done} / {total}）…',
    'context.empty': '请先粘贴一段文字。',
    'context.badLengths': '上下文长度必须是 1 到 8192 之间的整数，用逗号分隔。',
    'tokenizers.title': '9 · 分词器：WordPiece 与字节级 BPE',
    'tokenizers.lead':
      '两个模型都不直接读字母或单词，而是读词元——固定词表里的编号。BERT 的 WordPiece 用 ## 标出词的片段，并加上 [CLS] 和 [SEP]；GPT 的字节级 BPE 把前导空格放在词元里（显示为 ·），遇到任何文字都能退回到单个字节（<0x…>），所以没有它不认识的文字。',
    'tokenizers.run': '用两种分词器切分',
    'tokenizers.bert': 'BERT（{model}）：{count} 个词元',
    'tokenizers.gpt': 'GPT（{model}）：{count} 个词元',
    'tokenizers.empty': '请先输入一些文字。',
    'settings.title': '设置',
    'settings.weights': '权重地址',
    'settings.weightsHelp':
      '模型文件的来源：留空 = 本站的 models/；“huggingface” = Hugging Face 的公开地址；也可以是任何存放 <模型名>/<文件名> 的地址。无论来源，文件都会用 sha256 校验。',
    'settings.apply': '应用',
    'settings.clear': '清除已下载的模型',
    'settings.cleared': '已删除 {size} 的模型文件；下次使用时会重新下载。',
    'settings.clearFailed': '无法清除已存储的模型：{message}',
    'settings.badUrl': '“{url}” 不是可用的权重地址；改用本站的 models/。',
    'encoder.title': '1 · 编码器（BERT）：把文字变成向量',
    'encoder.lead':
      '编码器一次读完整句话，把它变成一个向量（这里是 384 个数）。意思相近的句子，向量的方向也相近，所以简单的向量运算——余弦相似度、最近邻——就能完成有用的任务。每行输入一句话，看看它们落在哪里。',
    'preset.label': '预设',
    'preset.choose': '选择一个预设…',
    'encoder.placeholder': '每行一句话',
    'encoder.embed': '生成向量',
    'encoder.embedding': '正在为 {count} 句话生成向量…',
    'encoder.embedded': '已为 {count} 句话生成向量，用时 {ms} 毫秒。',
    'encoder.map': '地图：384 维向量投影到二维',
    'encoder.heatmap': '每一对句子的余弦相似度',
    'encoder.variance': '两条坐标轴分别保留了 {pc1}% 和 {pc2}% 的方差（合计 {total}%）：地图只是 384 维空间的影子，热力图才是精确的。',
    'encoder.tsne': 't-SNE 让每句话的近邻保持靠近；簇与簇之间的距离和坐标轴本身意义不大。',
    'encoder.clickHint': '点击地图上的点，列出与它最接近的句子。',
    'encoder.neighbours': '与“{text}”最接近的句子（余弦相似度）：',
    'decoder.title': '2 · 解码器（GPT）：一次预测一个词元',
    'decoder.lead':
      '像 GPT 这样的解码器只有一个任务：根据已有的文字，预测下一个词元。把这个任务重复下去，就能写出完整的回答——正因为这个任务如此通用，一个模型就能聊天、翻译、总结和写代码。看看每个词元出现时，它是从哪些候选中选出来的。',
    'decoder.chat': '对话（用模型的对话模板包装提示）',
    'decoder.chatHelp': '开：提示作为用户消息，放在默认的系统消息之后。关：模型直接续写这段文字。',
    'decoder.placeholder': '一个问题（对话）或一段文字的开头（续写）',
    'decoder.temperature': '温度',
    'decoder.topK': 'Top-k',
    'decoder.topP': 'Top-p',
    'decoder.seed': '随机种子',
    'decoder.max': '最多生成词元数',
    'decoder.samplingHelp':
      '温度为 0 时总是选择最可能的词元（贪心）。大于 0 时随机抽取下一个词元：只在概率最高的 k 个词元中（0 = 全部），以及累计概率达到 top-p 的最小集合中抽取；相同的种子得到相同的结果。',
    'decoder.generate': '生成',
    'decoder.step': '单步',
    'decoder.stop': '停止',
    'decoder.prefill': '正在读取提示：{done} / {total} 个词元…',
    'decoder.promptTokens': '提示：{count} 个词元',
    'decoder.firstToken': '首个词元用时 {ms} 毫秒',
    'decoder.rate': '每秒 {rate} 个词元',
    'decoder.generated': '已生成 {count} 个词元',
    'decoder.paused': '已暂停：“单步”再生成一个词元，“生成”继续到底',
    'decoder.stepCaption': '第 {n} 个词元：以概率 {prob} 选中了“{token}”。柱状图是模型自身的概率（温度为 1 的 softmax），在温度、top-k 和 top-p 之前。',
    'finish.end': '结束：模型选择了结束词元',
    'finish.length': '结束：达到最多生成词元数',
    'finish.stop': '结束：出现了停止字符串',
    'finish.context': '结束：上下文窗口已满',
    'finish.cancelled': '已停止',
    'surprise.title': '3 · 意外程度：每个词元有多“意料之中”？',
    'surprise.lead':
      '同样的下一个词元预测，用在你给出的文字上（教师强制）：每个词元按解码器在看到前文后给它的概率着色——绿色是意料之中，红色是出人意料。所有位置在一次前向计算中完成打分。',
    'surprise.score': '打分',
    'surprise.summary': '{count} 个词元 · 平均对数概率 {mean} · 困惑度 {perplexity}',
    'surprise.hint': '点击一个词元，看看模型在这里原本预期的是什么。',
    'surprise.first': '第一个词元前面没有任何内容，所以没有概率。',
    'surprise.caption': '模型在这里给“{token}”的概率是 {prob}；柱状图是它在这个位置最看好的十个词元。',
    'surprise.empty': '请输入要打分的文字。',
    'surprise.tooShort': '这段文字至少需要两个词元。',
    'notice.allBlank': '没有可以处理的内容：每一行都是空的。请至少输入一句话，每行一句。',
    'notice.truncated': '第 {line} 行超过 {max} 个词元，只有前 {max} 个词元参与了计算（{max} 是这个编码器的输入上限）。',
    'notice.tooMany': '只处理了前 {max} 行。',
    'model.unknown': '正在检查需要下载的内容…',
    'model.notCached': '{model} 还不在这个浏览器里。第一次使用时会从 {source} 下载 {files}，共 {size}。',
    'model.files': '{count} 个文件',
    'model.oneFile': '1 个文件',
    'model.partlyCached': '{model}：还有 {size} 的文件需要从 {source} 下载。',
    'model.cached': '{model} 已保存在这个浏览器中（{size}），无需下载。',
    'model.loading': '正在加载 {model}…',
    'model.loaded': '{model} 已加载：{dim} 维向量，每段文字最多 {max} 个词元。',
    'model.loadedDecoder': '{model} 已加载：最多读取 {context} 个词元（提示与回答合计）。',
    'model.failed': '{model} 加载失败。',
    'model.download': '立即下载',
    'model.sameSite': '本站的 models/',
    'progress.download': '下载中',
    'progress.verify': '校验 sha256',
    'progress.cached': '来自浏览器存储',
    'progress.stored': '已校验',
    'progress.compile': '正在 WebAssembly 中构建模型…',
  },
};

export const LANGUAGES = Object.keys(STRINGS);
const STORAGE_KEY = 'bert-vs-gpt.lang';
const listeners = new Set();

function remembered() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled
  }
}

function initialLanguage() {
  const asked = new URLSearchParams(location.search).get('lang') ?? remembered();
  if (LANGUAGES.includes(asked)) return asked;
  return navigator.language?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

let current = initialLanguage();

export function language() {
  return current;
}

/** The string for `key` in the current language, with {name} filled from `params`. */
export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Fills every data-i18n* element under `root` in the current language. */
export function translatePage(root = document) {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}

export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) throw new Error(`unknown language "${lang}"; use one of ${LANGUAGES.join(', ')}`);
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered, still switched
  }
  translatePage();
  for (const listener of listeners) listener(lang);
}

/** `listener(lang)` runs after every switch, for text the page builds itself. */
export function onLanguageChange(listener) {
  listeners.add(listener);
}

/** "91.3 MB" */
export function formatBytes(bytes) {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
