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
    'app.footer': 'all-MiniLM-L6-v2 and SmolLM2-135M-Instruct (both Apache-2.0) · candle · tokenizers · Apache ECharts. Everything runs in this tab; nothing you type leaves it.',
    'settings.title': 'Settings',
    'settings.weights': 'Weights URL',
    'settings.weightsHelp':
      'Where model files come from: empty = models/ on this site; "huggingface" = the public Hugging Face URLs; or any URL holding <model id>/<file name>. Files are checked against their sha256 either way.',
    'settings.apply': 'Apply',
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
    'encoder.map': 'Map: the 384-d vectors projected to 2D (PCA)',
    'encoder.heatmap': 'Cosine similarity of every pair',
    'encoder.variance':
      'The two axes keep {pc1}% and {pc2}% of the variance ({total}% together): the map is a shadow of the 384 dimensions, the heatmap is exact.',
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
    'app.footer': 'all-MiniLM-L6-v2 与 SmolLM2-135M-Instruct（均为 Apache-2.0）· candle · tokenizers · Apache ECharts。一切都在这个标签页里运行，你输入的内容不会离开它。',
    'settings.title': '设置',
    'settings.weights': '权重地址',
    'settings.weightsHelp':
      '模型文件的来源：留空 = 本站的 models/；“huggingface” = Hugging Face 的公开地址；也可以是任何存放 <模型名>/<文件名> 的地址。无论来源，文件都会用 sha256 校验。',
    'settings.apply': '应用',
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
    'encoder.map': '地图：384 维向量经 PCA 投影到二维',
    'encoder.heatmap': '每一对句子的余弦相似度',
    'encoder.variance': '两条坐标轴分别保留了 {pc1}% 和 {pc2}% 的方差（合计 {total}%）：地图只是 384 维空间的影子，热力图才是精确的。',
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
