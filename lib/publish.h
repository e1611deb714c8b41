/*
 * publish.h - storing a trained model in a registry and deciding whether it
 * becomes current.  Borrows everything it is given.
 */
#ifndef SP_PUBLISH_H
#define SP_PUBLISH_H

#include "dataset.h"
#include "train.h"

#include <jansson.h>

enum sp_promote { SP_PROMOTE_AUTO, SP_PROMOTE_ALWAYS, SP_PROMOTE_NEVER };
enum sp_promote_metric { SP_METRIC_RMSE, SP_METRIC_IC, SP_METRIC_HIT };

struct sp_publish {
	const char *dir, *name;
	enum sp_promote promote;
	enum sp_promote_metric metric;
	const char *created;	/* RFC 3339 time of the run */
};

/*
 * Store MODEL_DOC and REPORT as DIR/NAME/vN/{model.json,report.json}, set
 * "name" and "version" in MODEL_DOC first, log the run and the promotion
 * decision in runs.ndjson, and switch current when promoted.  With
 * SP_PROMOTE_AUTO the new model is promoted if there is no current model or
 * if, on the most recent fold's test rows of DS, its out-of-sample metric
 * beats the current model's predictions of the same rows.  *VERSION gets N.
 * 0, or -1 after a message (the version directory may then exist, unlogged
 * and never current).
 */
int sp_publish(const struct sp_publish *p, const struct sp_dataset *ds,
	       const struct sp_train_result *res, json_t *model_doc, json_t *report,
	       int *version);

#endif
